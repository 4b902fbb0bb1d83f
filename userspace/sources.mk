# abpath's library sources: the library, then the command line (main.c
# dispatches to one cmd_<name>.c per command; cli_*.c and apply_safety.c
# hold what the commands share).  One list for userspace/Makefile and the
# sanitizer/fuzz build in tests/fuzz/Makefile (a second list there once
# missed a new file: the fuzz build failed to link).
LIBSRCS := util.c wwid.c sysfs.c config.c sides.c table.c dm.c status.c maps.c \
           reinstate.c check.c show.c conf.c plan.c \
           main.c cli_setup.c cli_luns.c cli_tables.c apply_safety.c \
           cmd_show.c cmd_table.c cmd_apply.c cmd_check.c cmd_status.c cmd_reinstate.c \
           cmd_conf.c conf_file.c cmd_plan.c
