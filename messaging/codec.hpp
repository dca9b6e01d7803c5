// The payload codec: batches to and from bytes with Boost.Serialization's binary archive.
// Class versions are recorded, so a later format can still read what an older one stored.
#pragma once

#include <string>

#include "messaging/batch.hpp"

namespace synod {

std::string encode(const batch& b);
// Throws std::runtime_error if the bytes are not an encoded batch.
batch decode_batch(const std::string& bytes);

}  // namespace synod
