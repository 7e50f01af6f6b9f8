{
  "targets": [
    {
      "target_name": "airlora_blas",
      "sources": ["native/blas.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu", "/usr/include/openblas"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O3"]
    }
  ]
}
