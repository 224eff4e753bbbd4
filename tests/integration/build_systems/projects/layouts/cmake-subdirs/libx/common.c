#include "../where.h"
const char *x_common(void) { return where((const void *)x_common); }
