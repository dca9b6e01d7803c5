// The usual visitor helper: std::visit(overloaded{[](const a&){...}, [](const b&){...}}, v).
#pragma once

namespace synod {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace synod
