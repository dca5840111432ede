// libsystemc references sc_main(); the fuzz targets that link it (through
// lvsim's models) build no platform, and libFuzzer brings main().
extern "C" int sc_main(int, char**) { return 1; }
