# FcgiHostCPack.cmake: the Debian packages `./run package` builds (cpack -G DEB, one package per
# install component): fcgi-host (spawn, cgi-gateway, nginx snippets, systemd units, docs; its
# postinst makes the system user fcgi-host) and fcgi-host-dev (headers, static libraries, CMake
# package, pkg-config). Configure with -DCMAKE_INSTALL_PREFIX=/usr for packages.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fcgi-host)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "fcgi-host maintainers <fcgi-host@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "C++ handler framework: FastCGI pools (spawn), CGI gateway")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install with DESTDIR: /etc paths (snippets, configs) land under /etc in the package.
set(CPACK_SET_DESTDIR ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME fcgi-host)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "nginx | nginx-light, systemd")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${FH_PKG_DIR}/debian/postinst
    ${FH_PKG_DIR}/debian/conffiles)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "spawn (prefork FastCGI supervisor) and the CGI gateway, with nginx snippets and systemd units")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME fcgi-host-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "g++, make | ninja-build, cmake, pkg-config, libfcgi-dev, libboost-program-options-dev, nlohmann-json3-dev, libctemplate-dev, libsqlite3-dev, libsodium-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "fcgi-host headers, static libraries, CMake package (find_package(FcgiHost)) and pkg-config files")
include(CPack)
