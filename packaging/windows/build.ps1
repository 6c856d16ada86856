# Build the Windows one-folder bundle and zip it with a checksum.
# Untested: this project's machines run Linux and PyInstaller cannot
# cross-compile. Run on Windows 10/11 with Python 3.11+ (py launcher).
# Not done here: Authenticode signing (see README.md).
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$Work = Join-Path ([System.IO.Path]::GetTempPath()) ("submitter-build-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $Work | Out-Null
try {
    # The same pins as the Linux build: times from the last commit, fixed hash seed.
    if (-not $env:SOURCE_DATE_EPOCH) { $env:SOURCE_DATE_EPOCH = (git log -1 --format=%ct) }
    $env:PYTHONHASHSEED = "0"
    py -3.11 -m venv "$Work\venv"
    & "$Work\venv\Scripts\pip" install -q -e . "pyinstaller>=6.10,<7"
    & "$Work\venv\Scripts\python" -m PyInstaller --noconfirm --clean --log-level WARN `
        --distpath "$Work\dist" --workpath "$Work\build" packaging\pyinstaller\submitter.spec
    $Version = & "$Work\venv\Scripts\python" -c "import submitter; print(submitter.__version__)"
    New-Item -ItemType Directory -Force -Path "$Root\dist" | Out-Null
    $Archive = "$Root\dist\submitter-$Version-windows-x86_64.zip"
    # Compress-Archive stores current times; the zip is not bit-for-bit
    # reproducible (README.md says so), the folder inside it is.
    Compress-Archive -Force -Path "$Work\dist\submitter" -DestinationPath $Archive
    $Hash = (Get-FileHash -Algorithm SHA256 $Archive).Hash.ToLower()
    "$Hash  $(Split-Path -Leaf $Archive)" | Tee-Object -FilePath "$Archive.sha256"
} finally {
    Remove-Item -Recurse -Force $Work
}
