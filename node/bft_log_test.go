package node

import (
	"log/slog"
	"os"
)

// testLogger logs node i at debug level to stderr when BFT_DEBUG is set
// (to follow a multi-node test message by message), and is nil otherwise.
func testLogger(i int) *slog.Logger {
	if os.Getenv("BFT_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", i)
}
