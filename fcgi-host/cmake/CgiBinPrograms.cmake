# fh_copy_cgi_programs(SRC_DIR DEST_DIR): what a user drops into the source cgi-bin/ reaches the
# served one. Every executable file directly in SRC_DIR, whatever its name or extension (`noext`,
# `p.rb`, `x.cgi`), is copied to DEST_DIR with its mode, plus NAME.ini files (a CGI program's
# config beside it). A changed file is copied again at the next build (configure_file makes it a
# configure dependency), a removed one is removed from DEST_DIR. Skipped, with one warning
# naming them: non-executable files (the gateway would refuse them: chmod +x to serve). Never
# copied: CMakeLists.txt, *.cmake, README*, dotfiles. Copies, not symlinks: the gateway never
# follows a symlink out of the directory it serves.
function(fh_copy_cgi_programs src dest)
  file(GLOB entries CONFIGURE_DEPENDS LIST_DIRECTORIES false "${src}/*")
  set(copied "")
  set(skipped "")
  foreach(f ${entries})
    get_filename_component(n "${f}" NAME)
    if(n STREQUAL "CMakeLists.txt" OR n MATCHES "^\\." OR n MATCHES "\\.cmake$" OR
       n MATCHES "^README")
      continue()
    endif()
    execute_process(COMMAND test -x "${f}" RESULT_VARIABLE not_executable)
    if(not_executable AND NOT n MATCHES "\\.ini$")
      list(APPEND skipped "${n}")
      continue()
    endif()
    configure_file("${f}" "${dest}/${n}" COPYONLY)
    list(APPEND copied "${n}")
  endforeach()
  if(skipped)
    list(JOIN skipped ", " names)
    message(WARNING "cgi-bin: not executable, so not served: ${names} (chmod +x to serve)")
  endif()
  # Remove what an earlier configure copied and the source no longer has.
  set(manifest "${CMAKE_CURRENT_BINARY_DIR}/cgi-bin-copied.txt")
  if(EXISTS "${manifest}")
    file(STRINGS "${manifest}" before)
    foreach(n ${before})
      if(NOT n IN_LIST copied)
        file(REMOVE "${dest}/${n}")
      endif()
    endforeach()
  endif()
  list(JOIN copied "\n" lines)
  file(WRITE "${manifest}" "${lines}\n")
endfunction()
