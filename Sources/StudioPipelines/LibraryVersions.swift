import CBLAS
import CFFTW
import CPNG
import CSampleRate
import CSndFile

/// The versions of the C libraries this build links, and OpenBLAS's kernel choice.
public enum LibraryVersions {
    /// `name: version` lines, in a fixed order.
    public static func report() -> [(name: String, version: String)] {
        [
            ("OpenBLAS", String(cString: openblas_get_config())),
            ("OpenBLAS core", String(cString: openblas_get_corename())),
            ("FFTW", String(cString: studio_fftwf_version())),
            ("libsndfile", String(cString: sf_version_string())),
            ("libsamplerate", String(cString: src_get_version())),
            ("libpng", String(cString: png_get_libpng_ver(nil))),
        ]
    }
}
