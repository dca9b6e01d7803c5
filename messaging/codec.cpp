#include "messaging/codec.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <sstream>
#include <stdexcept>

namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, synod::message_id& id, unsigned /*version*/) {
  ar& id.origin& id.seq;
}

template <class Archive>
void serialize(Archive& ar, synod::client_message& m, unsigned /*version*/) {
  ar& m.id& m.payload;
}

template <class Archive>
void serialize(Archive& ar, synod::batch& b, unsigned /*version*/) {
  ar& b.messages;
}

}  // namespace boost::serialization

BOOST_CLASS_VERSION(synod::batch, 1)
BOOST_CLASS_VERSION(synod::client_message, 1)

namespace synod {

std::string encode(const batch& b) {
  std::ostringstream out(std::ios::binary);
  {
    boost::archive::binary_oarchive archive(out);
    archive << b;
  }
  return std::move(out).str();
}

batch decode_batch(const std::string& bytes) {
  std::istringstream in(bytes, std::ios::binary);
  batch b;
  try {
    boost::archive::binary_iarchive archive(in);
    archive >> b;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("undecodable batch: ") + e.what());
  }
  return b;
}

}  // namespace synod
