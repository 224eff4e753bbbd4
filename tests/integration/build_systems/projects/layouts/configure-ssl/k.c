#include "where.h"
const char *k_where(void) { return where((const void *)k_where); }
