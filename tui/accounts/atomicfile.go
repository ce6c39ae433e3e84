package accounts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// errFileExists means the export target is already there.
var errFileExists = errors.New("a file is already there")

// writeNewFile writes data to path with mode 0600, all or nothing, and
// never over an existing file: the bytes go to a temporary file in the
// same directory, are synced, and are then hard-linked to path (which
// fails if path exists).
func writeNewFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".export-*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if rmErr := os.Remove(tmp.Name()); rmErr != nil && err == nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = fmt.Errorf("remove temporary file: %w", rmErr)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, errFileExists)
		}
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: the file is complete either way
		d.Close()
	}
	return nil
}
