/* Which file the loader took the object holding `sym` from. */
#define _GNU_SOURCE
#include <dlfcn.h>

static const char *where(const void *sym) {
    Dl_info info;
    if (dladdr(sym, &info) && info.dli_fname)
        return info.dli_fname;
    return "?";
}
