package main

// Building the simulated inventory from a Scenario.
//
// Datacenter, cluster, hosts and VMs are created through the simulator's own
// API (an in-process vim25 client), so every object is wired exactly as stock
// vcsim wires it. Datastores are assembled directly because stock 0.24.2 can
// only mount a datastore on one host; afterwards the fields stock vcsim leaves
// at template values (memory sizes, states, vSAN) are set on the objects.

import (
	"context"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Inventory is the built model plus the references our extensions need.
type Inventory struct {
	Model      *simulator.Model
	Scenario   *Scenario
	Datacenter types.ManagedObjectReference
	Cluster    types.ManagedObjectReference
	Hosts      map[string]types.ManagedObjectReference // by name
	Datastores map[string]types.ManagedObjectReference // by name
	tmpDir     string
}

const mb = int64(1024 * 1024)

func buildInventory(s *Scenario) (inv *Inventory, err error) {
	ctx := context.Background()
	m := simulator.VPX()
	m.Datacenter, m.Portgroup, m.Host, m.Cluster, m.ClusterHost = 0, 0, 0, 0, 0
	m.Datastore, m.Machine, m.Autostart = 0, 0, false
	if err := m.Create(); err != nil {
		return nil, err
	}
	inv = &Inventory{
		Model:      m,
		Scenario:   s,
		Hosts:      map[string]types.ManagedObjectReference{},
		Datastores: map[string]types.ManagedObjectReference{},
	}
	// Datastore folders: stock CreateVM writes a few empty files per VM there.
	scratch := scratchRoot()
	sweepStaleScratch(scratch)
	tmp, err := ioutil.TempDir(scratch, fmt.Sprintf("clusterops-vcsim-%d-", os.Getpid()))
	if err != nil {
		return nil, err
	}
	inv.tmpDir = tmp
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp) // a failed build must not leave its scratch folder behind
		}
	}()

	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return nil, err
	}
	root := object.NewRootFolder(c)
	dc, err := root.CreateDatacenter(ctx, s.Datacenter)
	if err != nil {
		return nil, fmt.Errorf("create datacenter: %v", err)
	}
	inv.Datacenter = dc.Reference()
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	cluster, err := folders.HostFolder.CreateCluster(ctx, s.Cluster.Name, types.ClusterConfigSpecEx{})
	if err != nil {
		return nil, fmt.Errorf("create cluster: %v", err)
	}
	inv.Cluster = cluster.Reference()

	for _, h := range s.Hosts {
		task, err := cluster.AddHost(ctx, types.HostConnectSpec{HostName: h.Name}, true, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("add host %s: %v", h.Name, err)
		}
		result, err := taskResult(task)
		if err != nil {
			return nil, fmt.Errorf("add host %s: %v", h.Name, err)
		}
		inv.Hosts[h.Name] = result
	}

	if err := inv.addDatastores(folders.DatastoreFolder.Reference()); err != nil {
		return nil, err
	}
	pool, err := cluster.ResourcePool(ctx)
	if err != nil {
		return nil, err
	}
	if len(s.VMs) <= apiBuildLimit {
		err = inv.addVMs(ctx, c, folders.VmFolder, pool)
	} else {
		inv.addVMsBulk(folders.VmFolder.Reference(), pool.Reference())
	}
	if err != nil {
		return nil, err
	}
	inv.applyHostFacts()
	inv.applyClusterFacts()
	inv.refreshDasHostStates()
	return inv, nil
}

func scratchRoot() string {
	if dir := os.Getenv("CLUSTEROPS_VCSIM_TMPDIR"); dir != "" {
		return dir
	}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if f, err := ioutil.TempFile("/dev/shm", ".probe"); err == nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// taskResult reads a finished simulator task directly. Simulator tasks run to
// completion inside the call; task.WaitForResult would poll the property
// collector, whose 250 ms tick made building 32 hosts take seconds.
func taskResult(task *object.Task) (types.ManagedObjectReference, error) {
	t, ok := simulator.Map.Get(task.Reference()).(*simulator.Task)
	if !ok {
		return types.ManagedObjectReference{}, fmt.Errorf("task %s not found", task.Reference().Value)
	}
	if t.Info.State != types.TaskInfoStateSuccess {
		return types.ManagedObjectReference{}, fmt.Errorf("task %s ended %s: %v", t.Info.DescriptionId, t.Info.State, t.Info.Error)
	}
	ref, ok := t.Info.Result.(types.ManagedObjectReference)
	if !ok {
		return types.ManagedObjectReference{}, fmt.Errorf("task %s returned %T", t.Info.DescriptionId, t.Info.Result)
	}
	return ref, nil
}

// sweepStaleScratch removes scratch folders of simulators that no longer run
// (killed with SIGKILL, or crashed), recognised by the pid in the name.
func sweepStaleScratch(root string) {
	matches, _ := filepath.Glob(filepath.Join(root, "clusterops-vcsim-*-*"))
	for _, dir := range matches {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(dir), "clusterops-vcsim-%d-", &pid); err != nil || pid <= 0 {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			_ = os.RemoveAll(dir)
		}
	}
}

// Close removes the temporary datastore directories.
func (inv *Inventory) Close() {
	if inv.tmpDir != "" {
		_ = os.RemoveAll(inv.tmpDir)
	}
}

func (inv *Inventory) hostsFor(d DatastoreSpec) []types.ManagedObjectReference {
	if d.Host != "" {
		return []types.ManagedObjectReference{inv.Hosts[d.Host]}
	}
	var refs []types.ManagedObjectReference
	for _, h := range inv.Scenario.Hosts {
		refs = append(refs, inv.Hosts[h.Name])
	}
	return refs
}

func datastoreInfo(d DatastoreSpec, url string) types.BaseDatastoreInfo {
	base := types.DatastoreInfo{Name: d.Name, Url: url}
	switch d.Type {
	case "NFS", "NFS41":
		return &types.NasDatastoreInfo{DatastoreInfo: base, Nas: &types.HostNasVolume{
			HostFileSystemVolume: types.HostFileSystemVolume{Type: d.Type, Name: d.Name, Capacity: d.CapacityGB * 1024 * mb},
			RemoteHost:           "nfs.example.test",
			RemotePath:           "/export/" + d.Name,
		}}
	case "vsan":
		return &types.VsanDatastoreInfo{DatastoreInfo: base, MembershipUuid: "52c0ffee-0000-4000-8000-" + fmt.Sprintf("%012x", len(d.Name))}
	default:
		return &types.VmfsDatastoreInfo{DatastoreInfo: base, Vmfs: &types.HostVmfsVolume{
			HostFileSystemVolume: types.HostFileSystemVolume{Type: "VMFS", Name: d.Name, Capacity: d.CapacityGB * 1024 * mb},
			Local:                types.NewBool(d.Host != ""),
		}}
	}
}

// addDatastores creates each datastore once and mounts it on its hosts.
func (inv *Inventory) addDatastores(folderRef types.ManagedObjectReference) error {
	folder := simulator.Map.Get(folderRef).(*simulator.Folder)
	clusterObj := simulator.Map.Get(inv.Cluster).(*simulator.ClusterComputeResource)
	for i, d := range inv.Scenario.Datastores {
		dir := filepath.Join(inv.tmpDir, fmt.Sprintf("ds%d", i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if d.CapacityGB == 0 {
			d.CapacityGB = 4096
		}
		if d.FreeGB == 0 {
			d.FreeGB = d.CapacityGB / 2
		}
		ds := &simulator.Datastore{}
		ds.Self = types.ManagedObjectReference{Type: "Datastore", Value: fmt.Sprintf("datastore-%d", 100+i)}
		ds.Name = d.Name
		ds.Info = datastoreInfo(d, dir)
		ds.Info.GetDatastoreInfo().FreeSpace = d.FreeGB * 1024 * mb
		ds.Summary = types.DatastoreSummary{
			Datastore:          &ds.Self,
			Name:               d.Name,
			Url:                dir,
			Capacity:           d.CapacityGB * 1024 * mb,
			FreeSpace:          d.FreeGB * 1024 * mb,
			Type:               d.Type,
			Accessible:         true,
			MultipleHostAccess: types.NewBool(d.Host == ""),
			MaintenanceMode:    string(types.DatastoreSummaryMaintenanceModeStateNormal),
		}
		ds.Capability = types.DatastoreCapability{DirectoryHierarchySupported: true, PerFileThinProvisioningSupported: true}
		browser := &simulator.HostDatastoreBrowser{}
		hosts := inv.hostsFor(d)
		browser.Datastore = []types.ManagedObjectReference{ds.Self}
		ds.Browser = simulator.Map.Put(browser).Reference()
		for _, href := range hosts {
			ds.Host = append(ds.Host, types.DatastoreHostMount{
				Key: href,
				MountInfo: types.HostMountInfo{
					Path:       "/vmfs/volumes/" + d.Name,
					AccessMode: string(types.HostMountModeReadWrite),
					Mounted:    types.NewBool(true),
					Accessible: types.NewBool(true),
				},
			})
		}
		folder.ChildEntity = append(folder.ChildEntity, ds.Self)
		simulator.Map.PutEntity(folder, ds)
		for _, href := range hosts {
			host := simulator.Map.Get(href).(*simulator.HostSystem)
			host.Datastore = append(host.Datastore, ds.Self)
			dss := simulator.Map.Get(*host.ConfigManager.DatastoreSystem).(*simulator.HostDatastoreSystem)
			dss.Datastore = append(dss.Datastore, ds.Self)
		}
		clusterObj.Datastore = append(clusterObj.Datastore, ds.Self)
		dcObj := simulator.Map.Get(inv.Datacenter).(*simulator.Datacenter)
		dcObj.Datastore = append(dcObj.Datastore, ds.Self)
		inv.Datastores[d.Name] = ds.Self
	}
	return nil
}

// vmDatastore picks the VM's datastore: as given, else the first shared one,
// else one local to the VM's host.
func (inv *Inventory) vmDatastore(vm VMSpec) string {
	if vm.Datastore != "" {
		return vm.Datastore
	}
	for _, d := range inv.Scenario.Datastores {
		if d.Shared && d.Host == "" {
			return d.Name
		}
	}
	for _, d := range inv.Scenario.Datastores {
		if d.Host == vm.Host {
			return d.Name
		}
	}
	return inv.Scenario.Datastores[0].Name
}

// Up to this many VMs are created through CreateVM_Task (full stock objects:
// devices, files, layout). Larger scenarios use addVMsBulk: CreateVM costs
// about 1.5 ms per VM, which would make 32,000 VMs take most of a minute.
const apiBuildLimit = 500

// addVMsBulk registers VM objects directly with the fields HA and capacity
// code reads (config.hardware, memory allocation, runtime, summary), without
// devices or files on the datastore.
func (inv *Inventory) addVMsBulk(folderRef, poolRef types.ManagedObjectReference) {
	folder := simulator.Map.Get(folderRef).(*simulator.Folder)
	pool := simulator.Map.Get(poolRef).(*simulator.ResourcePool)
	cluster := simulator.Map.Get(inv.Cluster).(*simulator.ClusterComputeResource)
	now := time.Now()
	for i, spec := range inv.Scenario.VMs {
		hostRef := inv.Hosts[spec.Host]
		dsName := inv.vmDatastore(spec)
		dsRef := inv.Datastores[dsName]
		vmPath := fmt.Sprintf("[%s] %s/%s.vmx", dsName, spec.Name, spec.Name)
		uid := fmt.Sprintf("4210%04x-%04x-4000-8000-%012x", i>>16, i&0xffff, i)
		iuid := fmt.Sprintf("5010%04x-%04x-4000-8000-%012x", i>>16, i&0xffff, i)
		rspec := types.DefaultResourceConfigSpec()

		vm := &simulator.VirtualMachine{}
		vm.Self = types.ManagedObjectReference{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", 10000+i)}
		vm.Name = spec.Name
		vm.Config = &types.VirtualMachineConfigInfo{
			Name:             spec.Name,
			GuestId:          string(types.VirtualMachineGuestOsIdentifierOtherGuest),
			GuestFullName:    string(types.VirtualMachineGuestOsIdentifierOtherGuest),
			Uuid:             uid,
			InstanceUuid:     iuid,
			Version:          "vmx-13",
			Template:         false,
			Files:            types.VirtualMachineFileInfo{VmPathName: vmPath},
			Hardware:         types.VirtualHardware{NumCPU: spec.CPUs, NumCoresPerSocket: 1, MemoryMB: spec.MemoryMB},
			MemoryAllocation: &rspec.MemoryAllocation,
			CpuAllocation:    &rspec.CpuAllocation,
			Tools:            &types.ToolsConfigInfo{},
		}
		vm.Runtime = types.VirtualMachineRuntimeInfo{
			Host:            &hostRef,
			ConnectionState: types.VirtualMachineConnectionStateConnected,
			PowerState:      types.VirtualMachinePowerStatePoweredOff,
		}
		vm.Guest = &types.GuestInfo{ToolsStatus: types.VirtualMachineToolsStatusToolsNotInstalled}
		vm.Summary = types.VirtualMachineSummary{
			Vm:      &vm.Self,
			Runtime: vm.Runtime,
			Guest:   &types.VirtualMachineGuestSummary{GuestId: vm.Config.GuestId, ToolsStatus: vm.Guest.ToolsStatus},
			Config: types.VirtualMachineConfigSummary{
				Name: spec.Name, VmPathName: vmPath, GuestId: vm.Config.GuestId, GuestFullName: vm.Config.GuestFullName,
				Uuid: uid, InstanceUuid: iuid,
			},
			Storage:       &types.VirtualMachineStorageSummary{Timestamp: now},
			OverallStatus: types.ManagedEntityStatusGreen,
		}
		vm.ResourcePool = &poolRef
		vm.Datastore = []types.ManagedObjectReference{dsRef}
		vm.EnvironmentBrowser = *cluster.EnvironmentBrowser

		folder.ChildEntity = append(folder.ChildEntity, vm.Self)
		simulator.Map.PutEntity(folder, vm)
		host := simulator.Map.Get(hostRef).(*simulator.HostSystem)
		host.Vm = append(host.Vm, vm.Self)
		pool.Vm = append(pool.Vm, vm.Self)
		ds := simulator.Map.Get(dsRef).(*simulator.Datastore)
		ds.Vm = append(ds.Vm, vm.Self)
		applyVMFacts(vm, spec, now)
	}
}

// addVMs creates the VMs through CreateVM_Task, in parallel (the simulator
// locks per object), then sets memory, reservation, overhead and power state.
func (inv *Inventory) addVMs(ctx context.Context, c *vim25.Client, vmFolder *object.Folder, pool *object.ResourcePool) error {
	specs := inv.Scenario.VMs
	refs := make([]types.ManagedObjectReference, len(specs))
	errs := make(chan error, len(specs))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU()*2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				vm := specs[i]
				host := inv.Hosts[vm.Host]
				config := types.VirtualMachineConfigSpec{
					Name:     vm.Name,
					GuestId:  string(types.VirtualMachineGuestOsIdentifierOtherGuest),
					NumCPUs:  vm.CPUs,
					MemoryMB: int64(vm.MemoryMB),
					Files:    &types.VirtualMachineFileInfo{VmPathName: "[" + inv.vmDatastore(vm) + "]"},
				}
				task, err := vmFolder.CreateVM(ctx, config, pool, object.NewHostSystem(c, host))
				if err == nil {
					refs[i], err = taskResult(task)
				}
				if err != nil {
					errs <- fmt.Errorf("create VM %s: %v", vm.Name, err)
				}
			}
		}()
	}
	for i := range specs {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	now := time.Now()
	for i, spec := range specs {
		applyVMFacts(simulator.Map.Get(refs[i]).(*simulator.VirtualMachine), spec, now)
	}
	return nil
}

func applyVMFacts(vm *simulator.VirtualMachine, spec VMSpec, now time.Time) {
	vm.Config.Hardware.MemoryMB = spec.MemoryMB
	vm.Config.Hardware.NumCPU = spec.CPUs
	vm.Config.MemoryAllocation.Reservation = types.NewInt64(spec.ReservationMB)
	vm.ResourceConfig = &types.ResourceConfigSpec{
		Entity:           &vm.Self,
		MemoryAllocation: *vm.Config.MemoryAllocation,
		CpuAllocation:    *vm.Config.CpuAllocation,
		LastModified:     &now,
		ChangeVersion:    "1",
	}
	vm.Summary.Config.MemorySizeMB = spec.MemoryMB
	vm.Summary.Config.NumCpu = spec.CPUs
	vm.Summary.Config.MemoryReservation = int32(spec.ReservationMB)
	state := types.VirtualMachinePowerState(spec.PowerState)
	vm.Runtime.PowerState = state
	vm.Summary.Runtime.PowerState = state
	vm.Summary.Runtime.Host = vm.Runtime.Host
	vm.Summary.Runtime.MaxMemoryUsage = spec.MemoryMB
	vm.Summary.QuickStats.GuestHeartbeatStatus = types.ManagedEntityStatusGray
	if state == types.VirtualMachinePowerStatePoweredOn {
		vm.Summary.QuickStats.GuestHeartbeatStatus = types.ManagedEntityStatusGreen
		vm.Runtime.BootTime = &now
		vm.Summary.Runtime.BootTime = &now
		vm.Summary.QuickStats.ConsumedOverheadMemory = spec.OverheadMB
		vm.Summary.QuickStats.HostMemoryUsage = spec.MemoryMB/2 + spec.OverheadMB
		vm.Summary.QuickStats.GuestMemoryUsage = spec.MemoryMB / 4
		vm.Summary.QuickStats.OverallCpuUsage = 100 * spec.CPUs
	} else {
		// Keep the required enum set: an empty guestHeartbeatStatus breaks pyVmomi's decoder.
		vm.Summary.QuickStats = types.VirtualMachineQuickStats{GuestHeartbeatStatus: types.ManagedEntityStatusGray}
	}
}

// applyHostFacts sets memory, CPU, states and vSAN networking per host.
func (inv *Inventory) applyHostFacts() {
	s := inv.Scenario
	for i, spec := range s.Hosts {
		host := simulator.Map.Get(inv.Hosts[spec.Name]).(*simulator.HostSystem)
		hw := *host.Hardware
		hw.MemorySize = spec.MemoryMB * mb
		hw.CpuInfo.NumCpuCores = spec.CPUCores
		hw.CpuInfo.NumCpuThreads = spec.CPUCores * 2
		hw.CpuInfo.Hz = int64(spec.CPUMhz) * 1000 * 1000
		host.Hardware = &hw
		host.Summary.Hardware.MemorySize = hw.MemorySize
		host.Summary.Hardware.NumCpuCores = spec.CPUCores
		host.Summary.Hardware.NumCpuThreads = spec.CPUCores * 2
		host.Summary.Hardware.CpuMhz = spec.CPUMhz
		host.Runtime.ConnectionState = types.HostSystemConnectionState(spec.ConnectionState)
		host.Runtime.InMaintenanceMode = spec.Maintenance
		host.Summary.Runtime = &host.Runtime
		if spec.ConnectionState != "connected" {
			host.Runtime.PowerState = types.HostSystemPowerStateUnknown
		}

		var usedMB int32
		for _, vmRef := range host.Vm {
			vm := simulator.Map.Get(vmRef).(*simulator.VirtualMachine)
			if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
				usedMB += vm.Summary.QuickStats.HostMemoryUsage
			}
		}
		host.Summary.QuickStats.OverallMemoryUsage = usedMB
		host.Summary.QuickStats.OverallCpuUsage = int32(len(host.Vm)) * 50

		applyHostNetwork(host, s, i, spec)
	}
}

// applyClusterFacts sets the cluster summary from the hosts and the vSAN/DRS/HA flags.
func (inv *Inventory) applyClusterFacts() {
	s := inv.Scenario
	cluster := simulator.Map.Get(inv.Cluster).(*simulator.ClusterComputeResource)
	cfg := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
	cfg.VsanConfigInfo = &types.VsanClusterConfigInfo{
		Enabled: types.NewBool(s.Vsan.Enabled),
		DefaultConfig: &types.VsanClusterConfigInfoHostDefaultInfo{
			Uuid:             "52c0ffee-5a11-4e00-8000-000000000001",
			AutoClaimStorage: types.NewBool(false),
		},
	}
	if s.Cluster.DRSEnabled != nil {
		cfg.DrsConfig.Enabled = types.NewBool(*s.Cluster.DRSEnabled)
	}
	cfg.DasConfig = MergeDasConfig(defaultDasConfig(), &types.ClusterDasConfigInfo{Enabled: types.NewBool(s.Cluster.HAEnabled)}, true, len(cluster.Host))
	for _, kv := range s.Cluster.DasOptions {
		cfg.DasConfig.Option = append(cfg.DasConfig.Option, &types.OptionValue{Key: kv[0], Value: kv[1]})
	}
	cluster.Configuration.DasConfig = cfg.DasConfig
	refreshClusterSummary(cluster)
}

// refreshClusterSummary recomputes the cluster summary; callers hold the cluster lock (or build).
func refreshClusterSummary(cluster *simulator.ClusterComputeResource) {
	summary := cluster.Summary.(*types.ClusterComputeResourceSummary)
	var totalMem, effMem int64
	var totalCPU, effCPU int32
	var cores int16
	var effHosts int32
	var reservedMB int64
	var poweredOn int64
	for _, href := range cluster.Host {
		host := simulator.Map.Get(href).(*simulator.HostSystem)
		totalMem += host.Hardware.MemorySize
		mhz := host.Summary.Hardware.CpuMhz * int32(host.Summary.Hardware.NumCpuCores)
		totalCPU += mhz
		cores += host.Summary.Hardware.NumCpuCores
		if host.Runtime.ConnectionState == types.HostSystemConnectionStateConnected && !host.Runtime.InMaintenanceMode {
			effHosts++
			effMem += host.Hardware.MemorySize / mb
			effCPU += mhz
		}
		for _, vmRef := range host.Vm {
			vm := simulator.Map.Get(vmRef).(*simulator.VirtualMachine)
			if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
				reservedMB += *vm.Config.MemoryAllocation.Reservation + int64(vm.Summary.QuickStats.ConsumedOverheadMemory)
				poweredOn++
			}
		}
	}
	summary.TotalMemory = totalMem
	summary.EffectiveMemory = effMem
	summary.TotalCpu = totalCPU
	summary.EffectiveCpu = effCPU
	summary.NumCpuCores = cores
	summary.NumCpuThreads = cores * 2
	summary.NumHosts = int32(len(cluster.Host))
	summary.NumEffectiveHosts = effHosts
	if summary.UsageSummary == nil {
		summary.UsageSummary = &types.ClusterUsageSummary{}
	}
	summary.UsageSummary.TotalMemCapacityMB = int32(effMem)
	summary.UsageSummary.TotalCpuCapacityMhz = effCPU
	summary.UsageSummary.MemReservationMB = int32(reservedMB)
	summary.AdmissionControlInfo = admissionControlInfo(cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DasConfig,
		int64(effCPU), effMem, poweredOn*vmCPUReservationMhz, reservedMB, effHosts)
}

// vSphere HA counts 32 MHz for a powered-on VM without a CPU reservation.
const vmCPUReservationMhz = 32

// admissionControlInfo is summary.admissionControlInfo for the percentage policy:
// the share of capacity left unreserved, (capacity - reserved) / capacity.
// Other policies (and HA off) report nothing here.
func admissionControlInfo(das types.ClusterDasConfigInfo, cpuMhz, memMB, cpuReservedMhz, memReservedMB int64, effHosts int32) types.BaseClusterDasAdmissionControlInfo {
	if das.Enabled == nil || !*das.Enabled {
		return nil
	}
	if _, slots := das.AdmissionControlPolicy.(*types.ClusterFailoverLevelAdmissionControlPolicy); slots {
		// The slot policy reports the failures the cluster can take now. Stand-in (unverified):
		// all but one effective host, as if every slot fitted; vCenter computes it from slot sizes.
		level := effHosts - 1
		if level < 0 {
			level = 0
		}
		return &types.ClusterFailoverLevelAdmissionControlInfo{CurrentFailoverLevel: level}
	}
	if _, ok := das.AdmissionControlPolicy.(*types.ClusterFailoverResourcesAdmissionControlPolicy); !ok {
		return nil
	}
	free := func(total, used int64) int32 {
		if total <= 0 {
			return 0
		}
		if used > total {
			used = total
		}
		return int32((total - used) * 100 / total)
	}
	return &types.ClusterFailoverResourcesAdmissionControlInfo{
		CurrentCpuFailoverResourcesPercent:    free(cpuMhz, cpuReservedMhz),
		CurrentMemoryFailoverResourcesPercent: free(memMB, memReservedMB),
	}
}

// refreshDasHostStates gives hosts a plausible FDM state: with HA on, the first
// healthy host is master and the others connect to it; with HA off, none.
func (inv *Inventory) refreshDasHostStates() {
	cluster := simulator.Map.Get(inv.Cluster).(*simulator.ClusterComputeResource)
	enabled := false
	if cfg, ok := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx); ok && cfg.DasConfig.Enabled != nil {
		enabled = *cfg.DasConfig.Enabled
	}
	var master *types.ManagedObjectReference
	for _, href := range cluster.Host {
		href := href
		host := simulator.Map.Get(href).(*simulator.HostSystem)
		simulator.Map.WithLock(host, func() {
			state := dasHostState(enabled, &host.HostSystem, &master)
			if state != nil {
				// Update also notifies open property filters (WaitForUpdates); it cannot
				// assign a nil pointer, so unsetting is a plain assignment.
				simulator.Map.Update(host, []types.PropertyChange{{Name: "runtime.dasHostState", Val: state}})
			}
			host.Runtime.DasHostState = state
		})
	}
}

func dasHostState(enabled bool, host *mo.HostSystem, master **types.ManagedObjectReference) *types.ClusterDasFdmHostState {
	if !enabled {
		return nil
	}
	switch {
	case host.Runtime.ConnectionState != types.HostSystemConnectionStateConnected:
		return &types.ClusterDasFdmHostState{State: "fdmUnreachable"}
	case host.Runtime.InMaintenanceMode:
		return &types.ClusterDasFdmHostState{State: "uninitialized"}
	case *master == nil:
		ref := host.Self
		*master = &ref
		return &types.ClusterDasFdmHostState{State: "master", StateReporter: &ref}
	default:
		return &types.ClusterDasFdmHostState{State: "connectedToMaster", StateReporter: *master}
	}
}
