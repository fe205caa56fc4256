// sc_main for the benchmark executables: libsystemc provides main() and calls sc_main, so Google
// Benchmark runs from here (BENCHMARK_MAIN would clash with SystemC's main).
#include <benchmark/benchmark.h>
#include <systemc>

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
