#include "messaging/batch.hpp"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace synod {

// The flat layout is written in the host's byte order, which must be little-endian so that every
// member (and every database) agrees on it.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "synod's batch layout is little-endian");

namespace {

constexpr char flat_magic[4] = {'S', 'Y', 'B', '2'};
constexpr std::size_t crc_at = 4;
constexpr std::size_t count_at = 8;
constexpr std::size_t payload_bytes_at = 12;
constexpr std::size_t header_size = 20;
constexpr std::size_t entry_header_size = 4 + 8 + 4;  // origin, seq, payload size

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
void put_at(std::string& out, std::size_t at, T value) {
  std::memcpy(out.data() + at, &value, sizeof value);
}

template <class T>
T get(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

std::uint32_t crc_of(const char* data, std::size_t size) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data), size));
}

// The header, with count, size and checksum still zero: seal_flat fills them in.
void start_flat(std::string& out) {
  out.append(flat_magic, 4);
  out.append(header_size - 4, '\0');
}

void append_entry(std::string& out, const message_id& id, std::string_view payload) {
  if (payload.size() > UINT32_MAX) throw std::length_error("a message payload exceeds 4 GiB");
  put(out, id.origin);
  put(out, id.seq);
  put(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload);
}

void seal_flat(std::string& out, std::size_t count, std::size_t payload_bytes) {
  put_at(out, count_at, static_cast<std::uint32_t>(count));
  put_at(out, payload_bytes_at, static_cast<std::uint64_t>(payload_bytes));
  put_at(out, crc_at, crc_of(out.data() + count_at, out.size() - count_at));
}

[[noreturn]] void malformed(const char* what) {
  throw std::runtime_error(std::string("malformed batch: ") + what);
}

}  // namespace

struct batch::body {
  std::size_t count = 0;
  std::size_t payload_bytes = 0;
  // Each representation is made at most once, by whichever thread first needs it.
  mutable std::once_flag decoded, encoded;
  mutable std::vector<client_message> messages;
  mutable std::string flat;
};

batch::batch(std::vector<client_message> messages) {
  if (messages.empty()) return;  // every no-op is the same: no body
  auto b = std::make_shared<body>();
  b->count = messages.size();
  for (const auto& m : messages) b->payload_bytes += m.payload.size();
  b->messages = std::move(messages);
  std::call_once(b->decoded, [] {});
  body_ = std::move(b);
}

batch::batch(std::initializer_list<client_message> messages)
    : batch(std::vector<client_message>(messages)) {}

batch batch::adopt_flat(std::string bytes, std::size_t count, std::size_t payload_bytes) {
  if (count == 0) return batch{};
  auto b = std::make_shared<body>();
  b->count = count;
  b->payload_bytes = payload_bytes;
  b->flat = std::move(bytes);
  std::call_once(b->encoded, [] {});
  batch out;
  out.body_ = std::move(b);
  return out;
}

bool batch::looks_flat(const std::string& bytes) {
  return bytes.size() >= header_size && std::memcmp(bytes.data(), flat_magic, 4) == 0;
}

bool batch::checked(const std::string& flat) {
  return looks_flat(flat) && get<std::uint32_t>(flat.data() + crc_at) ==
                                 crc_of(flat.data() + count_at, flat.size() - count_at);
}

batch batch::from_flat(std::string bytes) {
  if (!looks_flat(bytes)) malformed("no header");
  const std::size_t count = get<std::uint32_t>(bytes.data() + count_at);
  const std::size_t payload_bytes = get<std::uint64_t>(bytes.data() + payload_bytes_at);
  // Walk the entries once, so that reading them later cannot run off the end.
  std::size_t at = header_size, seen_bytes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (bytes.size() - at < entry_header_size) malformed("truncated entry");
    const std::size_t size = get<std::uint32_t>(bytes.data() + at + 12);
    at += entry_header_size;
    if (bytes.size() - at < size) malformed("truncated payload");
    at += size;
    seen_bytes += size;
  }
  if (at != bytes.size()) malformed("trailing bytes");
  if (seen_bytes != payload_bytes) malformed("payload size mismatch");
  return adopt_flat(std::move(bytes), count, payload_bytes);
}

std::vector<batch_entry> batch::entries() const {
  std::vector<batch_entry> out;
  if (!body_) return out;
  out.reserve(body_->count);
  const char* at = flat().data() + header_size;
  for (std::size_t i = 0; i < body_->count; ++i) {
    batch_entry e;
    e.id.origin = get<std::uint32_t>(at);
    e.id.seq = get<std::uint64_t>(at + 4);
    const std::size_t size = get<std::uint32_t>(at + 12);
    at += entry_header_size;
    e.payload = std::string_view(at, size);
    at += size;
    out.push_back(e);
  }
  return out;
}

const std::vector<client_message>& batch::messages() const {
  static const std::vector<client_message> none;
  if (!body_) return none;
  const body& b = *body_;
  std::call_once(b.decoded, [this, &b] {
    b.messages.reserve(b.count);
    for (const auto& e : entries())
      b.messages.push_back(client_message{e.id, std::string(e.payload)});
  });
  return b.messages;
}

std::size_t batch::size() const {
  return body_ ? body_->count : 0;
}

std::size_t batch::payload_bytes() const {
  return body_ ? body_->payload_bytes : 0;
}

const std::string& batch::flat() const {
  static const std::string empty = [] {
    std::string out;
    start_flat(out);
    seal_flat(out, 0, 0);
    return out;
  }();
  if (!body_) return empty;
  const body& b = *body_;
  std::call_once(b.encoded, [&b] {
    b.flat.reserve(header_size + b.count * entry_header_size + b.payload_bytes);
    start_flat(b.flat);
    for (const auto& m : b.messages) append_entry(b.flat, m.id, m.payload);
    seal_flat(b.flat, b.count, b.payload_bytes);
  });
  return b.flat;
}

bool operator==(const batch& a, const batch& b) {
  if (a.body_ == b.body_) return true;
  return a.size() == b.size() && a.flat() == b.flat();
}

batch_builder::batch_builder() {
  start_flat(flat_);
}

void batch_builder::add(const message_id& id, std::string_view payload) {
  append_entry(flat_, id, payload);
  ++count_;
  payload_bytes_ += payload.size();
}

batch batch_builder::finish() {
  seal_flat(flat_, count_, payload_bytes_);
  batch out = batch::adopt_flat(std::move(flat_), count_, payload_bytes_);
  flat_.clear();
  start_flat(flat_);
  count_ = payload_bytes_ = 0;
  return out;
}

}  // namespace synod
