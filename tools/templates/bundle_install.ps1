# 《大模型，小团队》 {{version}}: install into .venv next to this file (Windows, PowerShell).
# Offline when wheels\ is present (made by `make bundle WHEELS=1` on a Windows machine, see README.md).
# Run:  powershell -ExecutionPolicy Bypass -File install.ps1
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
if (-not (Test-Path .venv\Scripts\python.exe)) { py -3.11 -m venv .venv }
$py = ".venv\Scripts\python.exe"
$src = @()
if (Test-Path wheels) { $src = @("--no-index", "--find-links", "wheels"); Write-Host "从 wheels\ 离线安装" }
& $py -m pip install -q @src -c constraints.txt -e ".[{{extras}}]"
& $py -m pip install -q @src --no-deps -c constraints.txt {{no_deps}}
& $py -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lmbook)"
& $py -m lmbook.doctor --no-gpu
Write-Host "打开笔记本：.venv\Scripts\jupyter lab student\notebooks   （教师版在 notebooks\）"
