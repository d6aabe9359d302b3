import Foundation

/// A `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// (`{name: {dtype, shape, data_offsets: [begin, end]}}`, plus an optional `__metadata__`), then the
/// raw little-endian tensor bytes. Tensors are read out as F32; F16 and BF16 are converted on read.
struct SafeTensorsFile {
    struct TensorInfo: Sendable {
        var dtype: String
        var shape: [Int]
        /// Byte range inside the data section.
        var begin: Int
        var end: Int
    }

    let url: URL
    let tensors: [String: TensorInfo]
    private let data: Data
    private let dataStart: Int

    init(url: URL) throws {
        self.url = url
        let file = url.lastPathComponent
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw LLMRankError(.invalidModel, "\(url.path): cannot read the weights file (\(error.localizedDescription))")
        }
        guard data.count >= 8 else {
            throw LLMRankError(.invalidModel, "\(file): too short to be a safetensors file (\(data.count) bytes)")
        }
        let headerLength = data.withUnsafeBytes { raw in
            (0..<8).reduce(UInt64(0)) { acc, i in acc | UInt64(raw.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        }
        guard headerLength > 0, headerLength <= UInt64(data.count - 8) else {
            throw LLMRankError(.invalidModel, "\(file): header length \(headerLength) exceeds the file size \(data.count)")
        }
        dataStart = 8 + Int(headerLength)
        let header = data.subdata(in: 8..<dataStart)
        guard let json = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw LLMRankError(.invalidModel, "\(file): the header is not a JSON object")
        }
        var tensors: [String: TensorInfo] = [:]
        let dataSize = data.count - dataStart
        for (name, value) in json where name != "__metadata__" {
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw LLMRankError(.invalidModel, "\(file): tensor \(name) lacks dtype, shape or data_offsets")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw LLMRankError(.invalidModel, "\(file): tensor \(name) has data_offsets \(offsets) outside the data (\(dataSize) bytes)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
        }
        self.tensors = tensors
    }

    /// Bytes per element of the dtypes we convert to F32.
    private static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F32": 4
        case "F16", "BF16": 2
        default: nil
        }
    }

    /// The tensor `name` as F32 values in row-major order, checked against `shape`.
    func floats(_ name: String, shape expected: [Int]) throws -> [Float] {
        let file = url.lastPathComponent
        guard let info = tensors[name] else {
            throw LLMRankError(.invalidModel, "\(file): missing tensor \(name)")
        }
        guard info.shape == expected else {
            throw LLMRankError(.invalidModel, "\(file): tensor \(name) has shape \(info.shape), expected \(expected) from config.json")
        }
        guard let size = Self.elementSize(info.dtype) else {
            throw LLMRankError(.invalidModel, "\(file): tensor \(name) has dtype \(info.dtype); supported: F32, F16, BF16")
        }
        let count = expected.reduce(1, *)
        guard info.end - info.begin == count * size else {
            throw LLMRankError(.invalidModel, "\(file): tensor \(name) holds \(info.end - info.begin) bytes, expected \(count * size)")
        }
        let start = dataStart + info.begin
        return data.withUnsafeBytes { raw -> [Float] in
            let bytes = raw.baseAddress!.advanced(by: start)
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                switch info.dtype {
                case "F32":
                    // Unaligned-safe copy; safetensors does not promise alignment.
                    memcpy(out.baseAddress!, bytes, count * 4)
                    #if _endian(big)
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
                    #endif
                case "BF16":
                    for i in 0..<count {
                        let lo = UInt32(bytes.load(fromByteOffset: 2 * i, as: UInt8.self))
                        let hi = UInt32(bytes.load(fromByteOffset: 2 * i + 1, as: UInt8.self))
                        out[i] = Float(bitPattern: (hi << 24) | (lo << 16))
                    }
                default: // F16
                    for i in 0..<count {
                        let lo = UInt16(bytes.load(fromByteOffset: 2 * i, as: UInt8.self))
                        let hi = UInt16(bytes.load(fromByteOffset: 2 * i + 1, as: UInt8.self))
                        out[i] = halfToFloat((hi << 8) | lo)
                    }
                }
                initialized = count
            }
        }
    }

    func has(_ name: String) -> Bool { tensors[name] != nil }
}

/// IEEE 754 binary16 bits to Float (Float16 is not available on every platform we build for).
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa * 2^-24.
        let value = Float(mantissa) * 0x1p-24
        return sign == 0 ? value : -value
    case 31:
        return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    default:
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
