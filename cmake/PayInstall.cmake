# `cmake --install`: the connector SDK, for connectors built out of tree with find_package(pay).
# Installs the SDK's headers, its static libraries (pay::sdk, pay::http and, when GoogleTest is
# there, the conformance kit pay::conformance) and a CMake package config.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PAY_SDK_TARGETS pay_sdk pay_http)
set_target_properties(pay_sdk PROPERTIES EXPORT_NAME sdk)
set_target_properties(pay_http PROPERTIES EXPORT_NAME http)
if(TARGET pay_conformance)
  list(APPEND PAY_SDK_TARGETS pay_conformance)
  set_target_properties(pay_conformance PROPERTIES EXPORT_NAME conformance)
endif()

install(TARGETS ${PAY_SDK_TARGETS} EXPORT payTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES
          libpay/include/pay/status.h
          libpay/include/pay/money.h
          libpay/include/pay/ledger_entry.h
          libpay/include/pay/payment.h
          libpay/include/pay/payment_state.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pay)
install(DIRECTORY libpay/include/pay/connector DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/pay)
install(EXPORT payTargets NAMESPACE pay:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pay)

configure_package_config_file(cmake/payConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/payConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pay)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/payConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/payConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/payConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/pay)
