// Command clusterops-vcsim is govmomi's vCenter simulator with the HA
// behaviour the clusterops.ha collection needs: scenario-driven inventory,
// persistent dasConfig, a SOAP call counter and fault injection under /_sim.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "host:port to listen on (port 0 picks a free port)")
	scenarioPath := flag.String("scenario", "", "scenario JSON file (required)")
	certFile := flag.String("tlscert", "", "PEM certificate (default: an ephemeral self-signed one)")
	keyFile := flag.String("tlskey", "", "PEM private key for -tlscert")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the model build to FILE (diagnostics)")
	verbose := flag.Bool("verbose", false, "also log govmomi's per-request messages (they are discarded by default)")
	flag.Parse()
	// Stock vcsim logs through the standard logger on many requests; a parent that pipes
	// stderr without reading it could block us, so only our own startup/fatal lines go there.
	logger = log.New(os.Stderr, "clusterops-vcsim: ", log.LstdFlags|log.Lmicroseconds)
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("govmomi: ")
	if !*verbose {
		log.SetOutput(ioutil.Discard)
	}

	if *scenarioPath == "" {
		logger.Fatal("-scenario FILE is required")
	}
	scenario, err := loadScenario(*scenarioPath)
	if err != nil {
		logger.Fatal(err)
	}
	cert, err := loadOrMakeCert(*certFile, *keyFile)
	if err != nil {
		logger.Fatal(err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		logger.Fatal(err)
	}
	started := time.Now()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			logger.Fatal(err)
		}
		_ = pprof.StartCPUProfile(f)
	}
	app, err := newApp(scenario, ln.Addr().String())
	if app != nil {
		app.dir = filepath.Dir(*scenarioPath)
	}
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		logger.Fatal(err)
	}
	logger.Printf("scenario %s: %d hosts, %d VMs, %d datastores built in %.2fs",
		scenario.Name, len(scenario.Hosts), len(scenario.VMs), len(scenario.Datastores), time.Since(started).Seconds())

	server := &http.Server{
		Handler:   app,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ErrorLog:  log.New(log.Writer(), "http: ", log.LstdFlags), // TLS handshake errors etc.: -verbose
	}
	go func() {
		if err := server.Serve(tls.NewListener(ln, server.TLSConfig)); err != nil && err != http.ErrServerClosed {
			logger.Fatal(err)
		}
	}()
	fmt.Printf("READY https://%s/sdk\n", ln.Addr().String())
	_ = os.Stdout.Sync()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	_ = server.Close()
	app.Close()
}

// logger is our own stderr log (the standard one belongs to govmomi, see main).
var logger = log.New(os.Stderr, "clusterops-vcsim: ", log.LstdFlags)

func loadOrMakeCert(certFile, keyFile string) (tls.Certificate, error) {
	if certFile != "" || keyFile != "" {
		if certFile == "" || keyFile == "" {
			return tls.Certificate{}, fmt.Errorf("-tlscert and -tlskey must be given together")
		}
		return tls.LoadX509KeyPair(certFile, keyFile)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "clusterops-vcsim"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
