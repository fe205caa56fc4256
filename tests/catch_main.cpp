// Catch2 runner inside sc_main: every TEST_CASE runs in its own process (CTest), because SystemC
// can elaborate only once per process.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
