extern "C" int egmf_plain_library_answer() {
    return 42;
}
