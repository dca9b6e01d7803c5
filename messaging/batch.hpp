// What the group orders: client messages identified by (origin, seq), grouped into batches.
// One decided batch fills one slot; an empty batch is the no-op a new leader fills gaps with.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "messaging/ids.hpp"

namespace synod {

// Identity of a TO-Broadcast message. The origin's front keeps seq unique across its restarts.
struct message_id {
  node_id origin = 0;
  std::uint64_t seq = 0;

  friend bool operator<(const message_id& a, const message_id& b) {
    return a.origin < b.origin || (a.origin == b.origin && a.seq < b.seq);
  }
  friend bool operator==(const message_id& a, const message_id& b) {
    return a.origin == b.origin && a.seq == b.seq;
  }
};

struct message_id_hash {
  std::size_t operator()(const message_id& id) const {
    // seq counts up within an origin, and messages are looked up roughly in that order: keeping
    // consecutive seqs in consecutive buckets keeps the lookups in cache (measured: a
    // multiplicative hash that scatters them cost the leader ~10 % of its CPU in cache misses).
    return static_cast<std::size_t>(id.seq + std::uint64_t{id.origin} * 0x9E3779B97F4A7C15ULL);
  }
};

struct client_message {
  message_id id;
  std::string payload;  // opaque application bytes

  friend bool operator==(const client_message& a, const client_message& b) {
    return a.id == b.id && a.payload == b.payload;
  }
};

// One message of a batch, seen where the batch keeps it: valid while a copy of the batch lives.
struct batch_entry {
  message_id id;
  std::string_view payload;
};

// An immutable, shared batch. A leader proposes one batch to every acceptor, each acceptor logs
// it, each learner delivers it: copies share one body, and the body is encoded once (`flat`) and
// decoded once (`messages`), however many peers and records it goes to. A batch that arrived as
// bytes is decoded only if someone reads its messages: an acceptor only logs and forwards it.
class batch {
 public:
  batch() = default;  // the no-op
  explicit batch(std::vector<client_message> messages);
  batch(std::initializer_list<client_message> messages);

  // Takes bytes made by flat(). Throws std::runtime_error unless their layout is sound (the
  // checksum is not checked here: the caller checks what came from a disk, see `checked`).
  static batch from_flat(std::string bytes);
  // Whether the checksum in bytes made by flat() matches their contents.
  static bool checked(const std::string& flat);
  // Whether bytes start like the output of flat() (and not like an older encoding).
  static bool looks_flat(const std::string& bytes);

  const std::vector<client_message>& messages() const;
  // The messages without decoding them: what the protocol needs (ids, and payload bytes to copy
  // into another batch) costs no allocation per message.
  std::vector<batch_entry> entries() const;
  std::size_t size() const;  // number of messages; does not decode
  bool is_noop() const { return size() == 0; }
  std::size_t payload_bytes() const;  // does not decode
  // The compact encoding: "SYB2", CRC-32 of the rest, count, payload bytes, then per message
  // origin, seq, size and payload, little-endian. Made on first use, then shared.
  const std::string& flat() const;

  friend bool operator==(const batch& a, const batch& b);
  friend bool operator!=(const batch& a, const batch& b) { return !(a == b); }

 private:
  friend class batch_builder;
  struct body;
  // Takes flat bytes known to be sound (made here, or walked by from_flat).
  static batch adopt_flat(std::string bytes, std::size_t count, std::size_t payload_bytes);

  std::shared_ptr<const body> body_;
};

// Writes a batch's flat bytes directly, message by message: a leader assembles proposals from
// pieces of forwarded batches without ever holding the messages as strings.
class batch_builder {
 public:
  batch_builder();
  void add(const message_id& id, std::string_view payload);
  std::size_t size() const { return count_; }
  std::size_t payload_bytes() const { return payload_bytes_; }
  // The batch built so far; the builder starts over, empty.
  batch finish();

 private:
  std::string flat_;
  std::size_t count_ = 0;
  std::size_t payload_bytes_ = 0;
};

}  // namespace synod
