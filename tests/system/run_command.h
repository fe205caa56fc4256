// Runs an external program with a timeout and captures its output (full-system tests).
#pragma once

#include <string>
#include <vector>

namespace hvsim::test {

struct CommandResult {
  bool started = false;    // false: fork/exec failed (see `error`)
  bool exited = false;     // terminated through exit()
  int exit_status = -1;    // exit() status; 128 + signal number if killed by a signal; -1 if not started
  int term_signal = 0;     // signal that ended it (0 if it exited)
  bool timed_out = false;  // killed (SIGKILL to its process group) after the timeout
  std::string out;         // everything written to stdout
  std::string err;         // everything written to stderr
  std::string error;       // why it could not be started
};

// Runs argv[0] (searched in PATH when it has no '/') with argv, stdin from /dev/null, in its own
// process group. After `timeout_seconds` the whole group gets SIGKILL.
CommandResult run_command(const std::vector<std::string>& argv, double timeout_seconds = 60.0);

// Full path of an executable found in PATH, or "" if there is none.
std::string find_in_path(const std::string& name);

bool file_exists(const std::string& path);

// Splits text into lines ('\n'), dropping '\r' characters; a trailing partial line is kept.
std::vector<std::string> split_lines(const std::string& text);

// A printable summary of a result (status, timeout, stdout, stderr) for test diagnostics.
std::string describe(const CommandResult& r);

}  // namespace hvsim::test
