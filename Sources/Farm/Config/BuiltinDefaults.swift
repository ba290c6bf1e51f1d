/// The lowest configuration layer, compiled in. It mirrors the original's `base.yaml` +
/// `xfel.yaml` (agipd-reference §3.4) under CalFarm's names, with four deliberate changes:
/// no partition (`upex` exists only on Maxwell; a site file names the partition), no mail address,
/// `n_jobs` only where it means something (process), and no detector string or interleaving
/// (`MID_DET_AGIPD1M-1` silently failed on SPB data: both are found in the raw files). Every declared key appears here, so
/// `effectiveYAML` always lists the complete configuration.
enum BuiltinDefaults {
    static let yaml = """
        general:
          detector_string: null
          interleaved: auto
          runs: []
          channels: 0-15
          asics: 1-16
          module: null
          temperature: null
          cells: 0
          partition: null
          account: null
          qos: null
          mail_user: null
          mail_type: END,FAIL
          environment: []
          template_dir: null
          worker: null
          extra_sbatch: []
        preprocess:
          time_limit: "00:05:00"
          memory: null
          cpus: 1
          array_throttle: 0
        gather:
          time_limit: "00:45:00"
          memory: null
          cpus: 1
          array_throttle: 0
        process:
          time_limit: "00:45:00"
          memory: null
          cpus: 1
          n_jobs: auto
          unit_mib: 2048
          array_throttle: 0
        merge:
          time_limit: "00:05:00"
          memory: null
          cpus: 1
          array_throttle: 0
        join:
          time_limit: "00:05:00"
          memory: null
          cpus: 1
          array_throttle: 0
        retry:
          max_attempts: 3
          timeout_factor: 2.0
        supervisor:
          enabled: true
          time_limit: "08:00:00"
          memory: 200M
          interval: 30
        dark:
          tint: tint150ns
          run_names: [hg, mg, lg]
          mask_sigma: 5.0
        xray:
          element: Cu
          histogram_bins: 512
          min_peak_frames: 20
          min_spacing: 10.0
        drspc:
          run_names: [r1, r2, r3, r4, r5, r6, r7, r8]
          high_gain_window: [42, 122]
          medium_gain_window: [402, 552]
        drscs:
          currents: [itestc20, itestc80, itestc150]
          safety_factor: 1000
          run_names: [col15, col26, col37, col48]
        local:
          workers: 0
        store:
          journal_mode: auto
        slurm:
          max_array_size: 1001

        """
}
