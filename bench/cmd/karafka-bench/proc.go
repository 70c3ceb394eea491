package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clkTck is USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on Linux).
const clkTck = 100

// procCPU returns the user+system CPU seconds a live process used so far.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+2:])
	// fields after ")" start at field 3 (state); utime is field 14, stime 15.
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clkTck
}

// procRSS returns VmRSS of a live process in bytes.
func procRSS(pid int) int64 { return procStatus(pid, "VmRSS:") }

// procHWM returns VmHWM (peak RSS since exec) of a live process in bytes.
// (rusage's ru_maxrss is no use here: Linux carries it over from the forking
// parent across exec, so a child reports the harness's peak.)
func procHWM(pid int) int64 { return procStatus(pid, "VmHWM:") }

func procStatus(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// child is a worker or broker subprocess of this program.
type child struct {
	cmd   *exec.Cmd
	start time.Time

	mu     sync.Mutex
	status map[string]any // merged status lines
	lines  []string
	exited chan struct{}
}

func spawnSelf(args ...string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, status: map[string]any{}, exited: make(chan struct{})}
	c.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			if rest, ok := strings.CutPrefix(line, "STATUS "); ok {
				var m map[string]any
				if json.Unmarshal([]byte(rest), &m) == nil {
					for k, v := range m {
						c.status[k] = v
					}
					c.status["_at"] = time.Since(c.start).Seconds()
				}
			} else {
				c.lines = append(c.lines, line)
			}
			c.mu.Unlock()
		}
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) statusNum(key string) (float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.status[key].(float64)
	return v, ok
}

// stop sends SIGTERM, waits up to timeout (then kills) and returns the
// process's total CPU seconds (rusage) and its peak RSS (VmHWM before the signal).
func (c *child) stop(timeout time.Duration) (cpu float64, maxRSS int64, err error) {
	maxRSS = procHWM(c.pid())
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		err = fmt.Errorf("did not stop within %v: killed", timeout)
		<-done
	}
	if ps := c.cmd.ProcessState; ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			cpu = float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
		}
	}
	return cpu, maxRSS, err
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// statusLine prints a status line a parent reads (worker side).
var statusMu sync.Mutex

func statusLine(m map[string]any) {
	b, _ := json.Marshal(m)
	statusMu.Lock()
	fmt.Fprintf(os.Stdout, "STATUS %s\n", b)
	statusMu.Unlock()
}

// progress draws a one-line bar on stderr, at most every 200ms.
type progressBar struct {
	mu   sync.Mutex
	last time.Time
}

var bar progressBar

func (p *progressBar) draw(label string, frac float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	every, format := 200*time.Millisecond, "\r\033[K[%s%s] %3.0f%% %s"
	if !stderrIsTTY {
		every, format = 5*time.Second, "[%s%s] %3.0f%% %s\n"
	}
	if time.Since(p.last) < every {
		return
	}
	p.last = time.Now()
	frac = max(0, min(1, frac))
	const w = 30
	n := int(frac * w)
	fmt.Fprintf(os.Stderr, format, strings.Repeat("#", n), strings.Repeat(".", w-n), frac*100, label)
}

var stderrIsTTY = func() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}()

func (p *progressBar) done() {
	if stderrIsTTY {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
}
