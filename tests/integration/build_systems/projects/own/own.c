/* libown: the project's own shared library. It says which build it is and which file the
   loader took it from, so a test can tell a fresh copy from a stale one and the prefix's
   copy from the build tree's. */
#define _GNU_SOURCE
#include <dlfcn.h>

const char *own_build(void) { return OWN_BUILD; }

const char *own_path(void) {
    Dl_info info;
    if (dladdr((void *)own_build, &info) && info.dli_fname)
        return info.dli_fname;
    return "?";
}
