package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"time"
)

// Store is the reference library's on-disk layout under one root (~/.mp
// unless MP_OAUTH_STORAGE_DIR says otherwise), so an account signed in by
// either tool works in both:
//
//	{root}/accounts/{account}/tokens.json  the account's tokens
//	{root}/oauth/client_{region}.json      the registered client, one per region
//
// Directories are created 0700 and files written 0600, atomically (a
// temporary file renamed over the old one), because the reference refuses
// to read a credential file that others can read.
type Store struct {
	Root string
}

// StorageDirEnv is the reference's variable overriding the storage root.
const StorageDirEnv = "MP_OAUTH_STORAGE_DIR"

// DefaultRoot is $MP_OAUTH_STORAGE_DIR, else $HOME/.mp.
func DefaultRoot(getenv func(string) string) (string, error) {
	if dir := getenv(StorageDirEnv); dir != "" {
		return dir, nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("cannot find the home directory for ~/.mp: %w; set %s", err, StorageDirEnv)
		}
	}
	return filepath.Join(home, ".mp"), nil
}

var (
	accountName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`) })
	regionName  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}$`) })
)

// CheckAccountName refuses a name the reference would refuse; the name
// becomes a directory, so this also keeps paths inside the root.
func CheckAccountName(name string) error {
	if !accountName().MatchString(name) {
		return fmt.Errorf("account name %q is not valid; use 1 to 64 letters, digits, '-' or '_'", name)
	}
	return nil
}

// AccountDir is {root}/accounts/{name}.
func (s Store) AccountDir(name string) (string, error) {
	if err := CheckAccountName(name); err != nil {
		return "", err
	}
	return filepath.Join(s.Root, "accounts", name), nil
}

// TokensPath is {root}/accounts/{name}/tokens.json.
func (s Store) TokensPath(name string) (string, error) {
	dir, err := s.AccountDir(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tokens.json"), nil
}

// ClientPath is {root}/oauth/client_{region}.json.
func (s Store) ClientPath(region string) (string, error) {
	if !regionName().MatchString(region) {
		return "", fmt.Errorf("region %q is not valid; use us, eu or in", region)
	}
	return filepath.Join(s.Root, "oauth", "client_"+region+".json"), nil
}

// LoadTokens reads an account's tokens; a missing file is an
// fs.ErrNotExist error.
func (s Store) LoadTokens(name string) (*Tokens, string, error) {
	path, err := s.TokensPath(name)
	if err != nil {
		return nil, "", err
	}
	var t Tokens
	if err := readCredential(path, &t); err != nil {
		return nil, path, err
	}
	if t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return nil, path, fmt.Errorf("%s lacks access_token or expires_at", path)
	}
	return &t, path, nil
}

// SaveTokens writes an account's tokens.
func (s Store) SaveTokens(name string, t *Tokens) (string, error) {
	path, err := s.TokensPath(name)
	if err != nil {
		return "", err
	}
	raw, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return "", err
	}
	return path, writeCredential(path, raw)
}

// DeleteTokens removes an account's tokens; it reports whether a file was there.
func (s Store) DeleteTokens(name string) (string, bool, error) {
	path, err := s.TokensPath(name)
	if err != nil {
		return "", false, err
	}
	err = os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, false, nil
	}
	return path, err == nil, err
}

// LoadClient reads the client registered for a region; a missing file is
// an fs.ErrNotExist error.
func (s Store) LoadClient(region string) (*ClientInfo, error) {
	path, err := s.ClientPath(region)
	if err != nil {
		return nil, err
	}
	var c ClientInfo
	if err := readCredential(path, &c); err != nil {
		return nil, err
	}
	if c.ClientID == "" {
		return nil, fmt.Errorf("%s lacks client_id", path)
	}
	return &c, nil
}

// SaveClient writes the client registered for its region.
func (s Store) SaveClient(c *ClientInfo) error {
	path, err := s.ClientPath(c.Region)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeCredential(path, raw)
}

// maxCredentialBytes bounds a credential file read whole (the reference's
// cap: any real one is a few KiB).
const maxCredentialBytes = 1 << 20

// readCredential decodes a credential file, refusing a symlink, a file
// that is not regular, one too large, and one that others can read.
func readCredential(path string, out any) error {
	st, err := os.Lstat(path)
	if err != nil {
		return err
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; credential files must be regular files: remove it and sign in again", path)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case st.Size() > maxCredentialBytes:
		return fmt.Errorf("%s is larger than %d bytes; it is not a credential file", path, maxCredentialBytes)
	case runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s can be read by other users (mode %#o); run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		// The decoder's message quotes no values, only offsets and types.
		return fmt.Errorf("%s is not valid: %w", path, err)
	}
	return nil
}

// writeCredential replaces path atomically with a 0600 file, creating its
// directory 0700.
func writeCredential(path string, raw []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(path, raw)
}

// WriteFileAtomic writes raw to a 0600 temporary file next to path and
// renames it over path, so a reader sees the old file or the new one,
// never half of one.
func WriteFileAtomic(path string, raw []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := tmp.Write(raw); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return nil
}

// pythonTime writes a time the way the reference's datetime.isoformat()
// does for UTC (microseconds, "+00:00"), which both tools parse.
func pythonTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000-07:00")
}
