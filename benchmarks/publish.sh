# Sourced by the comparison scripts in benchmarks/: publishes the .NET programs they compare.
#
# ReadyToRun (precompiled), so start-up JIT counts against none of them. If crossgen cannot be restored, takes longer
# than R2R_TIMEOUT seconds (default 900) for one program, or R2R=0, every program is a plain Release build instead, so
# a comparison stays like for like. (LanguageExt.Core is left to the JIT: Directory.Build.props says why.)
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
