// The payload codec: batches and wire messages to and from bytes, with Boost.Serialization's
// binary archive behind a magic number and a CRC-32 (damage and garbage are refused before
// Boost reads a length). Class versions are recorded, so a later format can read an older one.
#pragma once

#include <string>
#include <vector>

#include "messaging/batch.hpp"
#include "messaging/messages.hpp"

namespace synod {

std::string encode(const batch& b);
// Throws std::runtime_error if the bytes are not an encoded batch.
batch decode_batch(std::string bytes);

std::string encode(const ledger_snapshot& snapshot);
// Throws std::runtime_error if the bytes are not an encoded snapshot.
ledger_snapshot decode_snapshot(const std::string& bytes);

std::string encode(const std::vector<wire_message>& messages);
// Throws std::runtime_error if the bytes are not encoded wire messages.
std::vector<wire_message> decode_messages(const std::string& bytes);

}  // namespace synod
