/* libunused.so.1: an external library the fixture programs link but never call, so that
 * --as-needed leaves it out of DT_NEEDED while its directory may stay on RUNPATH. */
int unused_answer(void) { return 42; }
