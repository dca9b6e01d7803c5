#include "messaging/codec.hpp"

#include <zlib.h>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <cstring>
#include <sstream>
#include <streambuf>

#include "messaging/serialization.hpp"

namespace synod {

namespace {

// Every encoding starts with a magic number and the CRC-32 of the archive after it. Boost's
// archives trust the lengths they read and allocate them at once, so garbage (from a port, or a
// damaged file) must be recognised before Boost sees it.
constexpr std::uint32_t magic = 0x53594e31;  // "SYN1"
constexpr std::size_t envelope_size = 8;

std::uint32_t crc_of(const char* data, std::size_t size) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data), size));
}

template <class T>
std::string encode_any(const T& value) {
  std::ostringstream out(std::ios::binary);
  out.write(std::string(envelope_size, '\0').data(), envelope_size);
  {
    boost::archive::binary_oarchive archive(out);
    archive << value;
  }
  std::string bytes = std::move(out).str();
  const std::uint32_t crc = crc_of(bytes.data() + envelope_size, bytes.size() - envelope_size);
  std::memcpy(bytes.data(), &magic, 4);
  std::memcpy(bytes.data() + 4, &crc, 4);
  return bytes;
}

// Lets Boost read the bytes where they are, instead of from a copy in an istringstream.
class view_buffer : public std::streambuf {
 public:
  view_buffer(const char* data, std::size_t size) {
    char* begin = const_cast<char*>(data);  // NOLINT: a get area is never written through
    setg(begin, begin, begin + size);
  }
};

template <class T>
T decode_any(const std::string& bytes, const char* what) {
  std::uint32_t found_magic = 0, crc = 0;
  if (bytes.size() >= envelope_size) {
    std::memcpy(&found_magic, bytes.data(), 4);
    std::memcpy(&crc, bytes.data() + 4, 4);
  }
  if (found_magic != magic)
    throw std::runtime_error(std::string("undecodable ") + what + ": not synod's encoding");
  if (crc != crc_of(bytes.data() + envelope_size, bytes.size() - envelope_size))
    throw std::runtime_error(std::string("undecodable ") + what + ": checksum mismatch");
  view_buffer in(bytes.data() + envelope_size, bytes.size() - envelope_size);
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
  return b.flat();
}
batch decode_batch(std::string bytes) {
  if (!batch::looks_flat(bytes)) return decode_any<batch>(bytes, "batch");  // written before 2
  if (!batch::checked(bytes)) throw std::runtime_error("undecodable batch: checksum mismatch");
  try {
    return batch::from_flat(std::move(bytes));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("undecodable batch: ") + e.what());
  }
}

std::string encode(const ledger_snapshot& snapshot) {
  return encode_any(snapshot);
}
ledger_snapshot decode_snapshot(const std::string& bytes) {
  return decode_any<ledger_snapshot>(bytes, "ledger snapshot");
}

std::string encode(const std::vector<wire_message>& messages) {
  return encode_any(messages);
}
std::vector<wire_message> decode_messages(const std::string& bytes) {
  return decode_any<std::vector<wire_message>>(bytes, "wire messages");
}

}  // namespace synod
