package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"cairn/chain"
	"cairn/node"
	"cairn/node/api"
	"cairn/node/logs"
	"cairn/tui"
	"cairn/wallet"

	tea "charm.land/bubbletea/v2"
	"github.com/gofrs/flock"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// consoleFlags are the node flags plus the console's own.
type consoleFlags struct {
	nodeFlags
	idleLock string
	attach   string
}

// attachFlags are the flags that still mean something with --attach: the
// console runs no node, so the node's flags do not apply.
var attachFlags = map[string]bool{"attach": true, "home": true, "idle-lock": true, "help": true}

// Bounds of an attached console's requests: attachTimeout for the first
// status (a URL that does not answer fails the attach), requestTimeout for
// every request after (the event stream lifts it), streamIdle for the
// event stream, which ends (and the console reconnects) when it brings
// nothing, not even the node's heartbeat, for three heartbeats.
const (
	attachTimeout  = 10 * time.Second
	requestTimeout = 30 * time.Second
	streamIdle     = 3 * api.DefaultHeartbeat
)

func newConsoleCmd() *cobra.Command {
	var f consoleFlags
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Open the console: wallet, node and chain in the terminal (the default command)",
		Long: "console opens Cairn's terminal console and runs a full node in the same process.\n" +
			"It reads --home as `cairn node` does (genesis, validator key, config.toml);\n" +
			"without a genesis there (and without --genesis) it runs the built-in devnet.\n" +
			"The node's logs go to the Logs screen and to <home>/console.log. If the node stops\n" +
			"on a fatal error, the console quits and shows the error.\n\n" +
			"With --attach URL it runs no node: it drives the node whose API is at URL (as\n" +
			"`cairn node` serves it, e.g. http://127.0.0.1:8545) through that API, and every\n" +
			"screen works as with its own node, Logs included (the node's recent lines, live).\n" +
			"The wallet stays here, in --home: keys never leave this machine, transactions are\n" +
			"signed here and sent signed. If the connection drops, the status line says so and\n" +
			"the console reconnects by itself when the node answers again. Only --home and\n" +
			"--idle-lock apply with --attach.\n\n" + configFileHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runConsole(cmd.Context(), &f) },
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.idleLock, "idle-lock", tui.DefaultIdleLock.String(), "lock the wallet after this long without a key press (0 never)")
	cmd.Flags().StringVar(&f.attach, "attach", "", "run no node: drive the node whose API is at this URL (e.g. http://127.0.0.1:8545); the wallet stays in --home")
	return cmd
}

// useConsoleByDefault makes `cairn` alone open the console with the
// console's flags.
func useConsoleByDefault(root *cobra.Command) {
	console := newConsoleCmd()
	root.Flags().AddFlagSet(console.Flags())
	root.Args = cobra.NoArgs
	root.RunE = console.RunE
}

func runConsole(ctx context.Context, f *consoleFlags) error {
	idle, err := parseIdleLock(f.idleLock)
	if err != nil {
		return err
	}
	// One console per home, and none on the home of a running node (its
	// store is locked): said before the terminal is taken, not after the
	// user typed the password.
	release, err := lockHome(f.home, f.attach == "")
	if err != nil {
		return err
	}
	defer release()
	if f.attach != "" {
		return runAttached(ctx, f, idle)
	}
	f.devnetIfNoGenesis = true
	cfg, err := f.config()
	if err != nil {
		return err
	}
	buf := logs.NewBuffer(2000)
	logFile, err := openConsoleLog(f.home)
	if err != nil {
		return err
	}
	defer logFile.Close()
	level := slog.LevelInfo
	level.UnmarshalText([]byte(f.logLevel))
	cfg.Logger = slog.New(slog.NewMultiHandler(buf.Handler(level), slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: level})))
	cfg.Logs = buf // its API serves them too, to a console attached to it

	var (
		running *node.Node
		prog    *tea.Program
		fatal   fatalSlot
	)
	model, err := tui.New(tui.Options{
		WalletPath:    wallet.DefaultPath(f.home),
		WalletOptions: walletOptions(),
		IdleLock:      idle,
		StartNode: func(ctx context.Context) (tui.Node, error) {
			if f.devnet {
				cfg.Logger.Warn(chain.DevnetWarning)
			}
			n, err := node.New(cfg)
			if err != nil {
				return tui.Node{}, err
			}
			if err := n.Start(ctx); err != nil {
				n.Close()
				return tui.Node{}, err
			}
			running = n
			go fatal.watch(ctx, n, func() { prog.Quit() })
			return tui.Node{Service: n.Service(), Logs: buf}, nil
		},
	})
	if err != nil {
		return err
	}
	prog = tea.NewProgram(model, append(tui.ProgramOptions(), tea.WithContext(ctx))...)
	_, runErr := prog.Run()
	model.Close()
	if running != nil {
		if err := running.Close(); err != nil {
			return errors.Join(fatal.get(), fmt.Errorf("stop node: %w", err))
		}
	}
	if err := fatal.get(); err != nil {
		return err
	}
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}

// runAttached runs the console over the API of a node elsewhere.
func runAttached(ctx context.Context, f *consoleFlags, idle time.Duration) error {
	var stray []string
	f.cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed && !attachFlags[fl.Name] {
			stray = append(stray, "--"+fl.Name)
		}
	})
	if len(stray) > 0 {
		return usageErr("--attach runs no node here, so %v do not apply (only --home and --idle-lock do)", stray)
	}
	model, err := newAttachedConsole(f.attach, f.home, idle, walletOptions()...)
	if err != nil {
		return err
	}
	defer model.Close()
	_, err = tea.NewProgram(model, append(tui.ProgramOptions(), tea.WithContext(ctx))...).Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// newAttachedConsole returns the console attached to the node whose API is
// at rawURL, with the wallet of home (opened or created with wopts). Its node is an api.Client: the
// console asks for the status once when the wallet is open (a URL that
// does not answer fails there, on the console's status line) and then
// follows the node's event stream, resubscribing if it drops. Its logs come
// over the API too (api.RemoteLogs), reconnecting by themselves.
func newAttachedConsole(rawURL, home string, idle time.Duration, wopts ...wallet.Option) (*tui.Model, error) {
	base, err := attachURL(rawURL)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	client := api.NewClient(base, &http.Client{Transport: tr, Timeout: requestTimeout}).WithStreamIdleTimeout(streamIdle)
	return tui.New(tui.Options{
		WalletPath:    wallet.DefaultPath(home),
		WalletOptions: wopts,
		Home:          home,
		IdleLock:      idle,
		Remote:        base,
		StartNode: func(ctx context.Context) (tui.Node, error) {
			ctx, cancel := context.WithTimeout(ctx, attachTimeout)
			defer cancel()
			if _, err := client.Status(ctx); err != nil {
				return tui.Node{}, err
			}
			n := tui.Node{Service: client}
			// The node's logs over its API; a node that does not serve
			// them leaves Logs nil, and the Logs screen says where they are.
			if l, err := client.OpenLogs(ctx); err == nil {
				n.Logs = l
			}
			return n, nil
		},
	})
}

// attachURL checks what --attach names: an http(s) URL with a host (a
// bare host:port means http), and returns it as the client's base URL.
func attachURL(raw string) (string, error) {
	base := api.NormalizeURL(raw)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usageErr("--attach %q: want the node's API URL, such as http://127.0.0.1:8545", raw)
	}
	return base, nil
}

// fatalSlot holds the fatal error the console's node stopped on.
type fatalSlot struct {
	mu  sync.Mutex
	err error
}

// watch waits until ctx ends or n stops by itself; then it keeps n's
// error and calls quit to end the console.
func (s *fatalSlot) watch(ctx context.Context, n interface {
	Done() <-chan struct{}
	Err() error
}, quit func()) {
	select {
	case <-ctx.Done():
		return
	case <-n.Done():
	}
	err := n.Err()
	if err == nil {
		err = errors.New("the node stopped by itself")
	}
	s.mu.Lock()
	s.err = fmt.Errorf("node stopped: %w", err)
	s.mu.Unlock()
	quit()
}

func (s *fatalSlot) get() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func parseIdleLock(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, usageErr("--idle-lock %q: %v", s, err)
	}
	if d == 0 {
		return -1, nil
	}
	return d, nil
}

// openConsoleLog opens <home>/console.log for appending (mode 0600).
func openConsoleLog(home string) (*os.File, error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", home, err)
	}
	path := filepath.Join(home, "console.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}

// consoleLockFile is the file a console holds locked in its home for as
// long as it runs, with its pid in it.
const consoleLockFile = "console.lock"

// errHomeInUse is a home another cairn process holds.
var errHomeInUse = errors.New("in use")

// lockHome takes the console's hold on home: <home>/console.lock, locked
// for as long as the console runs (release lets go), so a second console
// on the same home (which would write the same wallet file) stops at once
// and says which process has it. withNode (the console runs its own node)
// also checks the home's chain store: a `cairn node` on this home holds it
// locked, and the embedded node could not open it. Nothing is written to
// the store; the check takes a shared lock and lets it go.
func lockHome(home string, withNode bool) (release func(), err error) {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", home, err)
	}
	path := filepath.Join(home, consoleLockFile)
	lock := flock.New(path)
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		pid := 0
		if data, err := os.ReadFile(path); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
		return nil, homeInUse(home, pid, "a cairn console")
	}
	// The pid is for the message above, in the next console; the lock is
	// what counts, so a stale pid of a console that ended is never read.
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	release = func() { lock.Unlock() }
	if withNode {
		if err := checkStoreFree(home); err != nil {
			release()
			return nil, err
		}
	}
	return release, nil
}

// checkStoreFree fails if another process holds home's chain store (bbolt
// locks it with flock for as long as a node has it open).
func checkStoreFree(home string) error {
	store := node.StorePath(home)
	if _, err := os.Stat(store); err != nil {
		return nil // no store yet (or unreadable: the node will say)
	}
	probe := flock.New(store, flock.SetFlag(os.O_RDONLY))
	ok, err := probe.TryRLock()
	if err != nil {
		return nil // the check cannot be made here; the node's own open will say
	}
	if ok {
		probe.Unlock()
		return nil
	}
	return homeInUse(home, lockHolder(store), "a cairn node or console")
}

// homeInUse is the one line a console stopped by a busy home prints.
func homeInUse(home string, pid int, who string) error {
	by := "another cairn process (" + who + ")"
	if pid > 0 {
		by = fmt.Sprintf("another cairn process (pid %d)", pid)
	}
	return fmt.Errorf("home %s is %w by %s: quit it first, or give this console another --home (--attach URL drives a running node)",
		home, errHomeInUse, by)
}

// lockHolder is the pid of the process holding a flock on path, where the
// system tells (Linux's /proc/locks), else 0.
func lockHolder(path string) int {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	ino, ok := inode(fi)
	if !ok {
		return 0
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0
	}
	// "1: FLOCK  ADVISORY  WRITE 12345 08:01:1234567 0 EOF"
	for _, line := range strings.Split(string(data), "\n") {
		fs := strings.Fields(line)
		if len(fs) < 6 || fs[1] != "FLOCK" {
			continue
		}
		dev := strings.Split(fs[5], ":")
		if n, err := strconv.ParseUint(dev[len(dev)-1], 10, 64); err != nil || n != ino {
			continue
		}
		if pid, err := strconv.Atoi(fs[4]); err == nil && pid != os.Getpid() {
			return pid
		}
	}
	return 0
}

// inode reads the inode number of fi where the platform has one (the Ino
// field of syscall.Stat_t on Unix), without a build tag per platform.
func inode(fi os.FileInfo) (uint64, bool) {
	v := reflect.ValueOf(fi.Sys())
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0, false
	}
	f := v.FieldByName("Ino")
	if !f.IsValid() || !f.CanUint() {
		return 0, false
	}
	return f.Uint(), true
}
