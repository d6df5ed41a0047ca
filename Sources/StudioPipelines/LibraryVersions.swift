import CBLAS
import CDNNL
import CFFTW
import CPNG
import CSampleRate
import CSndFile
import StudioTensor

/// The versions of the C libraries this build links, and OpenBLAS's kernel choice.
public enum LibraryVersions {
    /// oneDNN's version and CPU runtime, e.g. `2.6.3 (cpu runtime: OpenMP)`.
    static var oneDNNVersion: String {
        guard let version = dnnl_version()?.pointee else { return "unknown" }
        let runtime: String
        switch version.cpu_runtime {
        case UInt32(DNNL_RUNTIME_OMP): runtime = "OpenMP"
        case UInt32(DNNL_RUNTIME_SEQ): runtime = "sequential"
        case UInt32(DNNL_RUNTIME_TBB): runtime = "TBB"
        default: runtime = "other"
        }
        return "\(version.major).\(version.minor).\(version.patch) (cpu runtime: \(runtime))"
    }

    /// `name: version` lines, in a fixed order.
    public static func report() -> [(name: String, version: String)] {
        [
            ("OpenBLAS", String(cString: openblas_get_config())),
            ("OpenBLAS core", String(cString: openblas_get_corename())),
            ("oneDNN", oneDNNVersion + (EngineConvolutions.useOneDNN ? "" : " (off: STUDIO_ONEDNN=0)")),
            ("FFTW", String(cString: studio_fftwf_version())),
            ("libsndfile", String(cString: sf_version_string())),
            ("libsamplerate", String(cString: src_get_version())),
            ("libpng", String(cString: png_get_libpng_ver(nil))),
        ]
    }
}
