package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// writeFileAtomic replaces path with data so that after a crash the file is
// either the old or the new version, never a mix: the data goes to a
// temporary file (mode 0600) in the same directory, which is synced, renamed
// over path, and the directory is synced. With exclusive set it fails with
// ErrExists instead of replacing an existing file.
func writeFileAtomic(path string, data []byte, exclusive bool) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod temp file: %w", err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync temp file: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close temp file: %w", err)
	}
	if exclusive {
		// A hard link never replaces an existing name, so a file that
		// appeared since the caller looked is not clobbered.
		if err = os.Link(tmpName, path); err == nil {
			// The wallet is in place; a leftover temp name is only clutter.
			_ = os.Remove(tmpName)
		} else if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		} else {
			// The filesystem has no hard links: check, then rename.
			if _, statErr := os.Lstat(path); statErr == nil {
				err = fmt.Errorf("%w: %s", ErrExists, path)
				return err
			}
			if err = os.Rename(tmpName, path); err != nil {
				return fmt.Errorf("rename to %s: %w", path, err)
			}
		}
	} else if err = os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("rename over %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for sync there
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}
