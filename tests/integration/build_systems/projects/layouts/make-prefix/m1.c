#include "where.h"
const char *m1_where(void) { return where((const void *)m1_where); }
