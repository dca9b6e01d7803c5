// The one error every stable storage throws: a message a person can act on, naming the file.
#pragma once

#include <stdexcept>
#include <string>

namespace synod {

class storage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace synod
