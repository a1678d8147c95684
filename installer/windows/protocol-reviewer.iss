; Inno Setup script for Windows (prepared, NOT built or tested here: see README, Installer).
; On a Windows machine with Python 3.11, MSYS2's Pango (WeasyPrint) and Inno Setup 6:
;   uv sync --frozen --group bundle
;   .venv\Scripts\python installer\make_icons.py build\icons
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\protocol-reviewer.spec
;   iscc /DAppVersion=0.1.0 installer\windows\protocol-reviewer.iss
; The app goes to Program Files (or the user's Programs folder without admin rights); the data folder
; (%LOCALAPPDATA%\ProtocolReviewer) is the user's and is kept on upgrade and uninstall.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1B7A52-3C8E-4D0B-9B1E-5A7C2E4F9D31}
AppName=Protocol Reviewer
AppVersion={#AppVersion}
AppPublisher=Protocol Reviewer developers
DefaultDirName={autopf}\Protocol Reviewer
DefaultGroupName=Protocol Reviewer
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=ProtocolReviewer-{#AppVersion}-windows-x64-setup
SetupIconFile=build\icons\protocol-reviewer.ico
UninstallDisplayIcon={app}\ProtocolReviewer.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes

[Files]
; the whole one-folder bundle; an upgrade replaces it (stale files of the old version are removed first)
Source: "dist\ProtocolReviewer\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Protocol Reviewer"; Filename: "{app}\ProtocolReviewer.exe"
Name: "{autodesktop}\Protocol Reviewer"; Filename: "{app}\ProtocolReviewer.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[Registry]
; "Open with" for trial files (.json, .xml, saved pages .txt); not made the default program
Root: HKA; Subkey: "Software\Classes\Applications\ProtocolReviewer.exe\shell\open\command"; ValueType: string; ValueData: """{app}\ProtocolReviewer.exe"" gui ""%1"""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\ProtocolReviewer.exe\SupportedTypes"; ValueType: string; ValueName: ".json"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\ProtocolReviewer.exe\SupportedTypes"; ValueType: string; ValueName: ".xml"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\ProtocolReviewer.exe\SupportedTypes"; ValueType: string; ValueName: ".txt"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\.json\OpenWithList\ProtocolReviewer.exe"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.xml\OpenWithList\ProtocolReviewer.exe"; Flags: uninsdeletekey

[Run]
Filename: "{app}\ProtocolReviewer.exe"; Description: "{cm:LaunchProgram,Protocol Reviewer}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] for the data folder: the user's trials and notes stay.
