// The inventory of libhdf5 that CalFarm uses. HDF5's type and property-list "constants" are
// macros that call H5open() and read a global; Swift cannot import them, so each is wrapped
// in a static inline accessor here. This is the only C in the package.
#include <hdf5.h>

static inline hid_t chdf5_native_uint8(void)   { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_uint16(void)  { return H5T_NATIVE_UINT16; }
static inline hid_t chdf5_native_int16(void)   { return H5T_NATIVE_INT16; }
static inline hid_t chdf5_native_uint32(void)  { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_native_int32(void)   { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_int64(void)   { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint64(void)  { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_native_float(void)   { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void)  { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_c_s1(void)           { return H5T_C_S1; }

static inline hid_t chdf5_p_file_create(void)     { return H5P_FILE_CREATE; }
static inline hid_t chdf5_p_file_access(void)     { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_dataset_create(void)  { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_dataset_access(void)  { return H5P_DATASET_ACCESS; }
static inline hid_t chdf5_p_dataset_xfer(void)    { return H5P_DATASET_XFER; }
static inline hid_t chdf5_p_link_create(void)     { return H5P_LINK_CREATE; }
static inline hid_t chdf5_p_default(void)         { return H5P_DEFAULT; }

static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_acc_rdwr(void)   { return H5F_ACC_RDWR; }
static inline unsigned chdf5_acc_trunc(void)  { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_excl(void)   { return H5F_ACC_EXCL; }

static inline hsize_t chdf5_unlimited(void)   { return H5S_UNLIMITED; }
static inline hid_t chdf5_s_all(void)         { return H5S_ALL; }
static inline hid_t chdf5_e_default(void)     { return H5E_DEFAULT; }
static inline size_t chdf5_variable(void)     { return H5T_VARIABLE; }
