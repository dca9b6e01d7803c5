// Boost.Serialization for every type that is stored or crosses the network. Included only by
// the codec sources, so nothing else pays for Boost's headers. Versions are recorded per class:
// when a field is added, bump the version and read the old layout when `version` is lower.
#pragma once

#include <boost/serialization/map.hpp>
#include <boost/serialization/split_free.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <stdexcept>
#include <utility>
#include <variant>

#include "messaging/messages.hpp"

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, synod::message_id& x, unsigned) {
  ar& x.origin& x.seq;
}
template <class Archive>
void serialize(Archive& ar, synod::client_message& x, unsigned) {
  ar& x.id& x.payload;
}
// Version 1 wrote the messages one by one; version 2 writes the batch's flat bytes, made once
// per batch however many peers it goes to (see batch.hpp).
template <class Archive>
void save(Archive& ar, const synod::batch& x, unsigned) {
  ar << x.flat();
}
template <class Archive>
void load(Archive& ar, synod::batch& x, unsigned version) {
  if (version < 2) {
    std::vector<synod::client_message> messages;
    ar >> messages;
    x = synod::batch(std::move(messages));
    return;
  }
  std::string flat;
  ar >> flat;
  x = synod::batch::from_flat(std::move(flat));
}
template <class Archive>
void serialize(Archive& ar, synod::round_t& x, unsigned) {
  ar& x.counter& x.node;
}
template <class Archive>
void serialize(Archive& ar, synod::read_request& x, unsigned) {
  ar& x.round& x.from_slot;
}
template <class Archive>
void serialize(Archive& ar, synod::accepted_value& x, unsigned) {
  ar& x.slot& x.round& x.value;
}
// Version 1 adds the page and the number of pages (version 0: the whole answer in one).
template <class Archive>
void serialize(Archive& ar, synod::read_ack& x, unsigned version) {
  ar& x.round& x.from_slot& x.accepted;
  if (version >= 1) ar& x.page& x.pages;
}
template <class Archive>
void serialize(Archive& ar, synod::read_nack& x, unsigned) {
  ar& x.round& x.promised;
}
template <class Archive>
void serialize(Archive& ar, synod::write_request& x, unsigned) {
  ar& x.round& x.slot& x.value;
}
template <class Archive>
void serialize(Archive& ar, synod::write_ack& x, unsigned) {
  ar& x.round& x.slot;
}
template <class Archive>
void serialize(Archive& ar, synod::write_nack& x, unsigned) {
  ar& x.round& x.slot& x.promised;
}
// Version 1 adds the deciding round and whether the value was left out.
template <class Archive>
void serialize(Archive& ar, synod::decision& x, unsigned version) {
  ar& x.slot& x.value;
  if (version >= 1) ar& x.round& x.value_omitted;
}
template <class Archive>
void serialize(Archive& ar, synod::catch_up_request& x, unsigned) {
  ar& x.from_slot;
}
// Version 0 held the messages as a vector; version 1 holds them as a batch.
template <class Archive>
void save(Archive& ar, const synod::forward& x, unsigned) {
  ar << x.value;
}
template <class Archive>
void load(Archive& ar, synod::forward& x, unsigned version) {
  if (version == 0) {
    std::vector<synod::client_message> messages;
    ar >> messages;
    x.value = synod::batch(std::move(messages));
    return;
  }
  ar >> x.value;
}
template <class Archive>
void serialize(Archive& ar, synod::sighting& x, unsigned) {
  ar& x.member& x.ticks_ago& x.incarnation;
}
template <class Archive>
void serialize(Archive& ar, synod::heartbeat& x, unsigned version) {
  ar& x.delivered_up_to;
  if (version >= 1)  // version 0: progress only
    ar& x.leader& x.heard& x.incarnation& x.leader_incarnation;
  if (version >= 2) ar& x.retained_from;  // version 1: nothing truncated
}
template <class Archive>
void save(Archive& ar, const synod::delivered_filter& x, unsigned) {
  ar << x.by_origin();
}
template <class Archive>
void load(Archive& ar, synod::delivered_filter& x, unsigned) {
  synod::delivered_filter::intervals_by_origin seen;
  ar >> seen;
  x = synod::delivered_filter(std::move(seen));
}
template <class Archive>
void serialize(Archive& ar, synod::ledger_snapshot& x, unsigned) {
  ar& x.slot& x.delivered& x.messages& x.bytes& x.digest;
}
template <class Archive>
void serialize(Archive& ar, synod::lead_probe& x, unsigned) {
  ar& x.attempt;
}
template <class Archive>
void serialize(Archive& ar, synod::lead_ack& x, unsigned) {
  ar& x.attempt;
}
template <class Archive>
void serialize(Archive& ar, synod::checkpoint_chunk_request& x, unsigned) {
  ar& x.slot& x.offset;
}
template <class Archive>
void serialize(Archive& ar, synod::checkpoint_chunk& x, unsigned) {
  ar& x.slot& x.size& x.digest& x.offset& x.bytes;
}

// std::variant (Boost 1.74 has none): the alternative's index, then the alternative.
template <class Archive, std::size_t... I>
void load_alternative(Archive& ar, synod::wire_message& v, unsigned index,
                      std::index_sequence<I...>) {
  const bool found = ((index == I ? (ar & v.template emplace<I>(), true) : false) || ...);
  if (!found) throw std::runtime_error("unknown message kind " + std::to_string(index));
}

template <class Archive>
void serialize(Archive& ar, synod::wire_message& v, unsigned) {
  unsigned index = static_cast<unsigned>(v.index());
  ar& index;
  if constexpr (Archive::is_loading::value) {
    load_alternative(ar, v, index,
                     std::make_index_sequence<std::variant_size_v<synod::wire_message>>{});
  } else {
    std::visit([&](auto& alternative) { ar& alternative; }, v);
  }
}

}  // namespace boost::serialization

BOOST_SERIALIZATION_SPLIT_FREE(synod::batch)
BOOST_SERIALIZATION_SPLIT_FREE(synod::forward)
BOOST_SERIALIZATION_SPLIT_FREE(synod::delivered_filter)
BOOST_CLASS_VERSION(synod::forward, 1)
BOOST_CLASS_VERSION(synod::decision, 1)
BOOST_CLASS_VERSION(synod::read_ack, 1)
BOOST_CLASS_VERSION(synod::heartbeat, 2)
BOOST_CLASS_VERSION(synod::batch, 2)
BOOST_CLASS_VERSION(synod::client_message, 1)
