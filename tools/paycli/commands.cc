// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "commands.h"

namespace paycli {

void AddPageFlags(CLI::App* command, PageFlags* flags) {
  command->add_option("--page-size", flags->page_size, "At most this many results")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  command
      ->add_option("--page-token", flags->page_token,
                   "Continue a listing: the \"next page\" token of the previous page")
      ->type_name("TOKEN");
}

}  // namespace paycli
