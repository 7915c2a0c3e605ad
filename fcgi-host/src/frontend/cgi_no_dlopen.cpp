// dlopen & co. as the fully static NAME.cgi sees them: they always fail. The static .cgi links
// with -Wl,--wrap=dlopen (and dlsym, dlclose, dlerror), so calls to them land here.
//
// Debian's static SQLite calls dlopen only for sqlite3_load_extension, which no fcgi-host app
// enables (SQLite ships it off). Reaching glibc's dlopen from a static binary would need the shared
// libraries of the exact glibc it was linked with at run time, which is what the linker warns
// about; wrapped, that call cannot happen: loading a shared object from a static .cgi fails
// cleanly, and the warning no longer applies.
#include <cstddef>

namespace {

const char* pending_error = nullptr;

} // namespace

extern "C" {

void* __wrap_dlopen(const char* /*file*/, int /*mode*/) {
  pending_error = "dynamic loading is not available in a statically linked CGI program";
  return nullptr;
}

void* __wrap_dlsym(void* /*handle*/, const char* /*name*/) {
  pending_error = "dynamic loading is not available in a statically linked CGI program";
  return nullptr;
}

int __wrap_dlclose(void* /*handle*/) {
  return 0;
}

char* __wrap_dlerror(void) {
  const char* e = pending_error;
  pending_error = nullptr;
  return const_cast<char*>(e);
}

} // extern "C"
