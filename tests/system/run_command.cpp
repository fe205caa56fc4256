#include "run_command.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace hvsim::test {

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Reads what is available from fd into dst; closes fd at EOF or on error.
void drain(int& fd, std::string& dst) {
  char buf[65536];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    dst.append(buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close_fd(fd);
  }
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, double timeout_seconds) {
  CommandResult r;
  if (argv.empty()) {
    r.error = "empty command";
    return r;
  }
  // Everything the child needs is prepared before fork (only async-signal-safe calls after it).
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return r;
  }
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return r;
  }

  pid_t pid = ::fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0], exec_pipe[1]}) ::close(fd);
    return r;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::execvp(cargv[0], cargv.data());
    int e = errno;
    ssize_t ignored = ::write(exec_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so the kill below cannot race the child's own call
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(exec_pipe[1]);

  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  r.started = n == 0;  // EOF: exec succeeded (the pipe closed on exec)
  if (!r.started) r.error = "exec " + argv[0] + ": " + std::strerror(exec_errno);

  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* dst[2] = {&r.out, &r.err};
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
  bool killed = false;
  while (fds[0] >= 0 || fds[1] >= 0) {
    auto now = clock::now();
    if (now >= deadline) {
      if (killed) break;  // something outside the group keeps the pipes open: stop reading
      ::kill(-pid, SIGKILL);
      r.timed_out = true;
      killed = true;
      deadline = now + std::chrono::seconds(2);
      continue;
    }
    int wait_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
    pollfd p[2];
    int np = 0;
    int idx[2];
    for (int i = 0; i < 2; ++i)
      if (fds[i] >= 0) {
        p[np] = {fds[i], POLLIN, 0};
        idx[np++] = i;
      }
    int rc = ::poll(p, static_cast<nfds_t>(np), wait_ms);
    if (rc < 0 && errno != EINTR) break;
    for (int k = 0; rc > 0 && k < np; ++k)
      if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) drain(fds[idx[k]], *dst[idx[k]]);
  }
  close_fd(fds[0]);
  close_fd(fds[1]);

  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  if (w == pid) {
    if (WIFEXITED(status)) {
      r.exited = true;
      r.exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.term_signal = WTERMSIG(status);
      r.exit_status = 128 + r.term_signal;
    }
  }
  if (!r.started) r.exit_status = -1;
  return r;
}

std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string full = dir + "/" + name;
    struct stat st;
    if (::stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(full.c_str(), X_OK) == 0) return full;
    start = end + 1;
  }
  return "";
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::string describe(const CommandResult& r) {
  std::ostringstream s;
  s << "started=" << r.started << " exited=" << r.exited << " exit_status=" << r.exit_status
    << " signal=" << r.term_signal << " timed_out=" << r.timed_out;
  if (!r.error.empty()) s << " error=\"" << r.error << "\"";
  s << "\n--- stdout ---\n" << r.out << "\n--- stderr ---\n" << r.err << "\n--------------";
  return s.str();
}

}  // namespace hvsim::test
