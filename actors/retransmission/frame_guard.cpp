#include "actors/retransmission/frame_guard.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <stdexcept>
#include <vector>

namespace synod {

namespace {

constexpr std::size_t max_buffered = std::size_t{1} << 20;  // per direction, then stop reading
constexpr std::size_t read_chunk = std::size_t{64} << 10;

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::uint16_t port_of(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

std::string address_of(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  }
  return std::string(text) + ":" + std::to_string(port);
}

int listen_on(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    throw std::runtime_error(gai_strerror(rc));
  int fd = -1;
  std::string why = "no address";
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
    why = std::strerror(errno);
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0) throw std::runtime_error(why);
  set_nonblocking(fd);
  return fd;
}

int connect_upstream(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  set_nonblocking(fd);
  set_nodelay(fd);
  return fd;
}

// Bytes waiting to be written to one socket.
struct pending_bytes {
  std::string bytes;
  std::size_t sent = 0;

  std::size_t size() const { return bytes.size() - sent; }
  // Writes what the socket takes now; false if the socket failed.
  bool write_to(int fd) {
    while (size() > 0) {
      const ssize_t n = ::send(fd, bytes.data() + sent, size(), MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      sent += static_cast<std::size_t>(n);
    }
    bytes.clear();
    sent = 0;
    return true;
  }
  void append(const char* data, std::size_t n) {
    if (sent > (max_buffered / 2)) {
      bytes.erase(0, sent);
      sent = 0;
    }
    bytes.append(data, n);
  }
};

struct connection {
  int outside = -1;
  int inside = -1;
  std::string peer;
  pending_bytes to_inside, to_outside;
  char header[frame_header_bytes] = {};
  std::size_t header_have = 0;
  std::uint64_t payload_left = 0;
  bool dead = false;
};

}  // namespace

frame_guard::frame_guard(frame_guard_config config) : config_(std::move(config)) {
  try {
    listener_ = listen_on(config_.host, config_.port);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on " + config_.host + ":" +
                             std::to_string(config_.port) + ": " + e.what());
  }
  port_ = port_of(listener_);
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(listener_);
    throw std::runtime_error(std::string("frame guard: pipe: ") + std::strerror(errno));
  }
}

void frame_guard::start(std::uint16_t upstream) {
  upstream_ = upstream;
  thread_ = std::thread([this] { run(); });
}

frame_guard::~frame_guard() {
  const char stop = 1;
  if (write(wake_[1], &stop, 1) < 0) {
    // the thread is gone already
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : {listener_, wake_[0], wake_[1]})
    if (fd >= 0) close(fd);
}

void frame_guard::run() {
  std::list<connection> connections;
  std::vector<char> chunk(read_chunk);
  auto last_log = std::chrono::steady_clock::now() - std::chrono::hours(1);
  std::uint64_t unlogged = 0;
  // One line per offending connection, at most one a second (the rest are counted).
  auto refuse = [&](connection& c, const std::string& why) {
    c.dead = true;
    ++refused_;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log < std::chrono::seconds(1)) {
      ++unlogged;
      return;
    }
    spdlog::warn("node {}: closed the connection from {}: {}{}", config_.self, c.peer, why,
                 unlogged ? " (and " + std::to_string(unlogged) + " more since the last line)"
                          : std::string());
    last_log = now;
    unlogged = 0;
  };
  // Passes bytes from outside on, frame by frame, checking each header before its payload.
  auto take_outside = [&](connection& c, const char* data, std::size_t n) {
    while (n > 0 && !c.dead) {
      if (c.payload_left > 0) {
        const std::size_t part =
            static_cast<std::size_t>(std::min<std::uint64_t>(c.payload_left, n));
        c.to_inside.append(data, part);
        c.payload_left -= part;
        data += part;
        n -= part;
        continue;
      }
      const std::size_t part = std::min(frame_header_bytes - c.header_have, n);
      std::memcpy(c.header + c.header_have, data, part);
      c.header_have += part;
      data += part;
      n -= part;
      if (c.header_have < frame_header_bytes) break;
      std::uint32_t length = 0;
      std::memcpy(&length, c.header + 4, 4);
      length = ntohl(length);
      if (length > config_.max_frame_bytes) {
        refuse(c, "a frame claims " + std::to_string(length) + " bytes, above the limit of " +
                      std::to_string(config_.max_frame_bytes));
        break;
      }
      c.to_inside.append(c.header, frame_header_bytes);
      c.header_have = 0;
      c.payload_left = length;
    }
  };

  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::pair<connection*, bool>> owners;  // (connection, is the outside socket)
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listener_, POLLIN, 0});
    for (auto& c : connections) {
      short out_events = 0, in_events = 0;
      if (c.to_inside.size() < max_buffered) out_events |= POLLIN;
      if (c.to_outside.size() > 0) out_events |= POLLOUT;
      if (c.to_outside.size() < max_buffered) in_events |= POLLIN;
      if (c.to_inside.size() > 0) in_events |= POLLOUT;
      fds.push_back({c.outside, out_events, 0});
      owners.emplace_back(&c, true);
      fds.push_back({c.inside, in_events, 0});
      owners.emplace_back(&c, false);
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("node {}: frame guard: poll: {}", config_.self, std::strerror(errno));
      break;
    }
    if (fds[0].revents) break;  // stopping
    if (fds[1].revents & POLLIN) {
      for (;;) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        const int fd = accept4(listener_, reinterpret_cast<sockaddr*>(&addr), &len,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        connection c;
        c.outside = fd;
        c.peer = address_of(addr);
        if (connections.size() >= config_.max_connections) {
          refuse(c, "too many connections (" + std::to_string(config_.max_connections) + ")");
          close(fd);
          continue;
        }
        c.inside = connect_upstream(upstream_);
        if (c.inside < 0) {
          close(fd);
          continue;
        }
        set_nodelay(fd);
        connections.push_back(std::move(c));
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      auto [c, outside] = owners[i - 2];
      if (c->dead || fds[i].revents == 0) continue;
      const int fd = fds[i].fd;
      if (fds[i].revents & POLLOUT) {
        auto& pending = outside ? c->to_outside : c->to_inside;
        if (!pending.write_to(fd)) c->dead = true;
      }
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = recv(fd, chunk.data(), chunk.size(), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          c->dead = true;  // one side closed: the connection ends
          continue;
        }
        if (n < 0) continue;
        if (outside) {
          take_outside(*c, chunk.data(), static_cast<std::size_t>(n));
          if (!c->dead && !c->to_inside.write_to(c->inside)) c->dead = true;
        } else {
          c->to_outside.append(chunk.data(), static_cast<std::size_t>(n));
          if (!c->to_outside.write_to(c->outside)) c->dead = true;
        }
      }
    }
    for (auto it = connections.begin(); it != connections.end();) {
      if (!it->dead) {
        ++it;
        continue;
      }
      close(it->outside);
      close(it->inside);
      it = connections.erase(it);
    }
  }
  for (auto& c : connections) {
    close(c.outside);
    close(c.inside);
  }
}

}  // namespace synod
