// Generated from job_templates/slurm-array.sbatch.mustache and slurm-supervisor.sbatch.mustache;
// a test keeps each byte-identical with its file.
// The copy is compiled in so an installed calfarm needs no template directory.
enum BuiltinTemplates {
    static let slurmArray = #"""
        #!/bin/bash
        # CalFarm job array {{{group}}} of request {{{request}}}. Rendered by calfarm at submission;
        # dependencies are given on the sbatch command line. Every value below arrives already quoted:
        # sbatch-directive quoting on #SBATCH lines, POSIX shell quoting in the body.
        #SBATCH --job-name={{{job_name}}}
        #SBATCH --comment={{{comment}}}
        {{#partition}}
        #SBATCH --partition={{{partition}}}
        {{/partition}}
        {{#account}}
        #SBATCH --account={{{account}}}
        {{/account}}
        {{#qos}}
        #SBATCH --qos={{{qos}}}
        {{/qos}}
        #SBATCH --time={{{time}}}
        {{#mem}}
        #SBATCH --mem={{{mem}}}
        {{/mem}}
        #SBATCH --cpus-per-task={{{cpus}}}
        #SBATCH --array={{{array}}}
        #SBATCH --output={{{output}}}
        #SBATCH --kill-on-invalid-dep=yes
        {{#mail_user}}
        #SBATCH --mail-type={{{mail_type}}}
        #SBATCH --mail-user={{{mail_user}}}
        {{/mail_user}}
        {{#extra_sbatch}}
        #SBATCH {{{.}}}
        {{/extra_sbatch}}
        set -eo pipefail
        {{#environment}}
        {{{.}}}
        {{/environment}}
        
        # Array task N (from 1) runs entry N - 1 + offset (from 0) of the array's spec file (JSON Lines,
        # one JobSpec per line); the worker reads that line itself.
        specs={{{tasks_file}}}
        index=$(( SLURM_ARRAY_TASK_ID - 1 + {{{task_offset}}} ))
        exec {{{worker}}} run --specs "$specs" --index "$index"

        """#

    static let slurmSupervisor = #"""
        #!/bin/bash
        # CalFarm supervisor of request {{{request}}}: follows the request to its end, applies the retry
        # policy and, before its own time limit, hands over to a successor job. Rendered by calfarm.
        # Every value below arrives already quoted for where it lands.
        #SBATCH --job-name={{{job_name}}}
        {{#partition}}
        #SBATCH --partition={{{partition}}}
        {{/partition}}
        {{#account}}
        #SBATCH --account={{{account}}}
        {{/account}}
        {{#qos}}
        #SBATCH --qos={{{qos}}}
        {{/qos}}
        #SBATCH --time={{{time}}}
        {{#mem}}
        #SBATCH --mem={{{mem}}}
        {{/mem}}
        #SBATCH --cpus-per-task=1
        #SBATCH --output={{{output}}}
        set -eo pipefail
        {{#environment}}
        {{{.}}}
        {{/environment}}
        
        exec {{{calfarm}}} supervise {{{request_argument}}} --db {{{database}}}
        
        """#
}
