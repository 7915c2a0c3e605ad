// The functions the fully static NAME.cgi link wraps (fh_add_app passes -Wl,--wrap=... for each):
// calls to them from glibc's or libgcc's start-up code and from SQLite land here instead.
//
// __register_frame_info / __deregister_frame_info: a -static link starts with crtbeginT.o, which
// registers the whole .eh_frame with libgcc's unwinder; the first exception thrown then makes
// libgcc count and sort every FDE of the binary (milliseconds for accounts.cgi, at every 404 or
// 401 of every CGI start). Dynamic and static-pie executables skip the registration and find FDEs
// through PT_GNU_EH_FRAME (the .eh_frame_hdr binary-search table, via _dl_find_object /
// dl_iterate_phdr, which glibc provides in static binaries too). The link asks for that table
// (-Wl,--eh-frame-hdr) and these wrappers make the registration a no-op, so a static .cgi unwinds
// the way a dynamic program does.
//
// dlopen, dlsym, dlclose, dlerror: they always fail. Debian's static SQLite calls dlopen only for
// sqlite3_load_extension, which no fcgi-host app enables (SQLite ships it off). Reaching glibc's
// dlopen from a static binary would need the shared libraries of the exact glibc it was linked
// with at run time, which is what the linker warns about; wrapped, that call cannot happen:
// loading a shared object from a static .cgi fails cleanly, and the warning no longer applies.

namespace {

const char* pending_error = nullptr;
constexpr const char* kNoDynamicLoading =
    "dynamic loading is not available in a statically linked CGI program";

} // namespace

// The names are the ones the linker's --wrap=SYMBOL looks for.
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming)
extern "C" {

void __wrap___register_frame_info(const void* /*begin*/, void* /*object*/) {}

void* __wrap___deregister_frame_info(const void* /*begin*/) {
  return nullptr;
}

void* __wrap_dlopen(const char* /*file*/, int /*mode*/) {
  pending_error = kNoDynamicLoading;
  return nullptr;
}

void* __wrap_dlsym(void* /*handle*/, const char* /*name*/) {
  pending_error = kNoDynamicLoading;
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
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)
