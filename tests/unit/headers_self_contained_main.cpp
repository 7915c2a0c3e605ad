// headers_self_contained: the real check is that every generated one-header source compiles and
// links into this executable; running it only confirms the link succeeded.
int main() {
  return 0;
}
