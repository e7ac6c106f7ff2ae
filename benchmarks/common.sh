# Sourced by the comparison scripts in benchmarks/ (run from the repository root): what each of them needs before it
# measures anything.

# Installs GNU time (the scripts read CPU seconds and peak RSS from it), installs and starts the private mail servers
# (scripts/servers/), and sets HOST and SINK_PORT from scripts/servers/ports.env.
prepare_machine() {
  if [[ ! -x /usr/bin/time ]]; then
    [[ $(id -u) -eq 0 ]] || { echo "compare.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time </dev/null >/dev/null
  fi
  bash scripts/servers/install.sh
  bash scripts/servers/start.sh >/dev/null
  source scripts/servers/ports.env
}

# Publishes the .NET programs a script compares: ReadyToRun (precompiled), so start-up JIT counts against none of them.
# If crossgen cannot be restored, takes longer than R2R_TIMEOUT seconds (default 900) for one program, or R2R=0, every
# program is a plain Release build instead, so a comparison stays like for like. (LanguageExt.Core is left to the JIT:
# Directory.Build.props says why.)
#
#   publish_all PROJECT=OUTPUT-DIR ...    sets BUILD_KIND to "ReadyToRun" or "plain Release (JIT)"
publish_all() {
  local rid spec r2r=${R2R:-1}
  case "$(uname -m)" in aarch64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
  if [ "$r2r" = 1 ]; then
    for spec in "$@"; do
      if ! timeout "${R2R_TIMEOUT:-900}" dotnet publish "${spec%%=*}" -c Release -r "$rid" --self-contained false \
           -p:PublishReadyToRun=true -v quiet -nologo -o "${spec#*=}" >/dev/null 2>&1; then
        echo "ReadyToRun publish of ${spec%%=*} failed or timed out; plain Release builds for all" >&2
        r2r=0
        break
      fi
    done
  fi
  if [ "$r2r" != 1 ]; then
    for spec in "$@"; do
      rm -rf "${spec#*=}"
      dotnet publish "${spec%%=*}" -c Release -v quiet -nologo -o "${spec#*=}" >/dev/null
    done
  fi
  BUILD_KIND=$([ "$r2r" = 1 ] && echo "ReadyToRun" || echo "plain Release (JIT)")
}
