#include "messaging/codec.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <sstream>

#include "messaging/serialization.hpp"

namespace synod {

namespace {

template <class T>
std::string encode_any(const T& value) {
  std::ostringstream out(std::ios::binary);
  {
    boost::archive::binary_oarchive archive(out);
    archive << value;
  }
  return std::move(out).str();
}

template <class T>
T decode_any(const std::string& bytes, const char* what) {
  std::istringstream in(bytes, std::ios::binary);
  T value;
  try {
    boost::archive::binary_iarchive archive(in);
    archive >> value;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("undecodable ") + what + ": " + e.what());
  }
  return value;
}

}  // namespace

std::string encode(const batch& b) {
  return encode_any(b);
}
batch decode_batch(const std::string& bytes) {
  return decode_any<batch>(bytes, "batch");
}

std::string encode(const std::vector<wire_message>& messages) {
  return encode_any(messages);
}
std::vector<wire_message> decode_messages(const std::string& bytes) {
  return decode_any<std::vector<wire_message>>(bytes, "wire messages");
}

}  // namespace synod
