#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <systemc>

int main(int argc, char* argv[]) {
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return Catch::Session().run(argc, argv);
}

// libsystemc references sc_main(); the tests build their platforms themselves.
int sc_main(int, char**) { return 1; }
