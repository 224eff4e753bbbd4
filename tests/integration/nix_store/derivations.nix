# Derivations for the real-store tests, written without nixpkgs: /bin/sh builders that use the
# host's gcc and linkers (sandbox = false), with ldwrap's drop-ins first on the builder's PATH.
#
#   dropins: the drop-in directory the apps link through
#   locked:  drop-ins whose Python lies under a directory other users cannot enter
{ dropins, locked }:
let
  system = builtins.currentSystem;
  hostPath = "/usr/bin:/bin";

  # A derivation whose builder runs one shell script.
  build = name: env: script:
    derivation ({
      inherit name system;
      builder = "/bin/sh";
      args = [ "-c" ("set -eu\n" + script) ];
      PATH = hostPath;
    } // env);

  # A shared library lib<name>.so with one function, <name>_value, returning value.
  library = pname: value:
    build "${pname}-1.0" { } ''
      mkdir -p $out/lib
      printf 'int %s_value(void) { return %s; }\n' ${pname} ${toString value} > lib.c
      gcc -shared -fPIC -o $out/lib/lib${pname}.so lib.c
    '';

  nixgreet = library "nixgreet" 42;
  nixunused = library "nixunused" 7;

  mainC = ''
    #include <stdio.h>
    int nixgreet_value(void);
    int main(void) { printf("greet %d\n", nixgreet_value()); return 0; }
  '';

  # A program that calls nixgreet, linked by gcc with `flags`; the drop-ins come first on
  # PATH unless `bin` is null. share/build-info records who built it and its NIX_STORE.
  app = name: bin: extraEnv: flags:
    build name ({
      PATH = (if bin == null then "" else bin + ":") + hostPath;
      main_c = mainC;
    } // extraEnv) ''
      mkdir -p $out/bin $out/share
      printf '%s' "$main_c" > main.c
      gcc main.c -o $out/bin/app ${flags}
      printf 'user=%s\nNIX_STORE=%s\n' "$(id -un)" "$NIX_STORE" > $out/share/build-info
    '';

  greetFlags = "-L${nixgreet}/lib -lnixgreet";
  # nixunused is linked but never called: --as-needed leaves it out of DT_NEEDED.
  needless = "-Wl,--as-needed ${greetFlags} -L${nixunused}/lib -lnixunused";
in
{
  inherit nixgreet nixunused;
  # gcc's default linker (`ld`, GNU ld here) and the others it selects with -fuse-ld.
  app-bfd = app "app-bfd" dropins { } greetFlags;
  app-gold = app "app-gold" dropins { } "-fuse-ld=gold ${greetFlags}";
  app-lld = app "app-lld" dropins { } "-fuse-ld=lld ${greetFlags}";
  app-mold = app "app-mold" dropins { } "-fuse-ld=mold ${greetFlags}";
  # The same link without ldwrap.
  app-plain = app "app-plain" null { } greetFlags;
  # A needless -l under --as-needed, with and without the post-link trim.
  app-shrink = app "app-shrink" dropins { LDWRAP_SHRINK = "1"; } needless;
  app-noshrink = app "app-noshrink" dropins { } needless;
  # Drop-ins the build users cannot run.
  app-locked = app "app-locked" locked { } "-fuse-ld=lld ${greetFlags}";
}
