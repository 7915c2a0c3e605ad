# fh_install_app(NAME [DESTINATION DIR] [CGI_DESTINATION DIR]): install rules for an app that
# fh_add_app(NAME ...) built, called from the same directory. NAME.fcgi goes to DIR (default
# lib/fcgi-host/NAME), NAME.cgi to CGI_DESTINATION (default lib/cgi-bin/fcgi-host, what the
# fcgi-host-cgi unit serves), each with NAME.templates/ beside it when the app has templates/:
# the binaries find their templates relative to themselves, never by a build-time path.
function(fh_install_app NAME)
  cmake_parse_arguments(ARG "" "DESTINATION;CGI_DESTINATION" "" ${ARGN})
  if(NOT ARG_DESTINATION)
    set(ARG_DESTINATION lib/fcgi-host/${NAME})
  endif()
  if(NOT ARG_CGI_DESTINATION)
    set(ARG_CGI_DESTINATION lib/cgi-bin/fcgi-host)
  endif()
  install(TARGETS ${NAME}.fcgi RUNTIME DESTINATION ${ARG_DESTINATION})
  install(TARGETS ${NAME}.cgi RUNTIME DESTINATION ${ARG_CGI_DESTINATION})
  set(templates "${CMAKE_CURRENT_SOURCE_DIR}/templates")
  if(IS_DIRECTORY "${templates}")
    foreach(dest ${ARG_DESTINATION} ${ARG_CGI_DESTINATION})
      install(DIRECTORY "${templates}/" DESTINATION ${dest}/${NAME}.templates)
    endforeach()
  endif()
endfunction()
