//go:build race

package main

// raceEnabled: the race detector multiplies memory and time, so figures
// measured under it mean nothing.
const raceEnabled = true
