//! Video frames go to the GPU as their YUV planes and become RGB in a shader: a third
//! of the bytes of RGBA to upload and no CPU conversion per frame.

use std::sync::Arc;

use egui_wgpu::wgpu;
use viewer::VideoFrame;

const SHADER: &str = r"
struct Params {
    uv_rect: vec4<f32>,   // u0, v0, u1, v1 of the texture shown in the viewport
    coeffs: vec4<f32>,    // r_v, g_u, g_v, b_u
    range: vec4<f32>,     // y offset, y scale, chroma offset, chroma scale
    output: vec4<f32>,    // x: 1 when the target is sRGB (write linear values)
};
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var y_tex: texture_2d<f32>;
@group(0) @binding(2) var u_tex: texture_2d<f32>;
@group(0) @binding(3) var v_tex: texture_2d<f32>;
@group(0) @binding(4) var samp: sampler;

struct VertexOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> VertexOut {
    let corner = vec2<f32>(f32(i & 1u), f32(i >> 1u));
    var out: VertexOut;
    out.position = vec4<f32>(corner.x * 2.0 - 1.0, 1.0 - corner.y * 2.0, 0.0, 1.0);
    out.uv = mix(params.uv_rect.xy, params.uv_rect.zw, corner);
    return out;
}

fn to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(high, low, c <= vec3<f32>(0.04045));
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let y = (textureSample(y_tex, samp, in.uv).r - params.range.x) * params.range.y;
    let u = (textureSample(u_tex, samp, in.uv).r - params.range.z) * params.range.w;
    let v = (textureSample(v_tex, samp, in.uv).r - params.range.z) * params.range.w;
    let k = params.coeffs;
    var rgb = clamp(vec3<f32>(y + k.x * v, y - k.y * u - k.z * v, y + k.w * u), vec3<f32>(0.0), vec3<f32>(1.0));
    if (params.output.x > 0.5) {
        rgb = to_linear(rgb);
    }
    return vec4<f32>(rgb, 1.0);
}
";

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    uv_rect: [f32; 4],
    coeffs: [f32; 4],
    range: [f32; 4],
    output: [f32; 4],
}

impl Params {
    fn new(frame: &VideoFrame, uv_rect: [f32; 4], srgb_target: bool) -> Self {
        let coeffs = if frame.color.bt709 {
            [1.5748, 0.187_324, 0.468_124, 1.8556]
        } else {
            [1.402, 0.344_136, 0.714_136, 1.772]
        };
        let range = if frame.color.full_range {
            [0.0, 1.0, 128.0 / 255.0, 1.0]
        } else {
            [16.0 / 255.0, 255.0 / 219.0, 128.0 / 255.0, 255.0 / 224.0]
        };
        Self { uv_rect, coeffs, range, output: [f32::from(u8::from(srgb_target)), 0.0, 0.0, 0.0] }
    }
}

/// GPU objects for showing frames, kept in egui-wgpu's callback resources.
pub struct YuvRenderer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    params: wgpu::Buffer,
    srgb_target: bool,
    planes: Option<Planes>,
}

/// The uploaded frame: textures are re-created only when the size changes.
struct Planes {
    size: (u32, u32),
    textures: [wgpu::Texture; 3],
    bind_group: wgpu::BindGroup,
    /// The frame that is uploaded (held so its identity cannot be reused).
    uploaded: Option<Arc<VideoFrame>>,
}

impl YuvRenderer {
    /// Register the renderer with eframe's wgpu state (call once at start-up).
    pub fn install(render_state: &egui_wgpu::RenderState) {
        let renderer = Self::new(&render_state.device, render_state.target_format);
        render_state.renderer.write().callback_resources.insert(renderer);
    }

    fn new(device: &wgpu::Device, target: wgpu::TextureFormat) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("vidence yuv"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let texture_entry = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: true },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("vidence yuv"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX_FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                texture_entry(1),
                texture_entry(2),
                texture_entry(3),
                wgpu::BindGroupLayoutEntry {
                    binding: 4,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("vidence yuv"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("vidence yuv"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                buffers: &[],
            },
            fragment: Some(wgpu::FragmentState {
                module: &shader,
                entry_point: Some("fs_main"),
                compilation_options: wgpu::PipelineCompilationOptions::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: target,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            primitive: wgpu::PrimitiveState {
                topology: wgpu::PrimitiveTopology::TriangleStrip,
                ..Default::default()
            },
            depth_stencil: None,
            // eframe renders egui without multisampling; the pass must match.
            multisample: wgpu::MultisampleState::default(),
            multiview_mask: None,
            cache: None,
        });
        // Pixel-exact when zoomed in (annotators inspect single pixels), smooth when
        // zoomed out.
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("vidence yuv"),
            mag_filter: wgpu::FilterMode::Nearest,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("vidence yuv params"),
            size: size_of::<Params>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self { pipeline, layout, sampler, params, srgb_target: target.is_srgb(), planes: None }
    }

    fn upload(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, frame: &Arc<VideoFrame>) {
        if self.planes.as_ref().and_then(|p| p.uploaded.as_ref()).is_some_and(|u| Arc::ptr_eq(u, frame)) {
            return;
        }
        let size = (frame.width, frame.height);
        if self.planes.as_ref().is_none_or(|p| p.size != size) {
            self.planes = Some(self.create_planes(device, size));
        }
        let Some(planes) = self.planes.as_mut() else { return };
        let sizes = [
            (frame.width, frame.height),
            (frame.chroma_width(), frame.chroma_height()),
            (frame.chroma_width(), frame.chroma_height()),
        ];
        for ((texture, data), (w, h)) in planes.textures.iter().zip([&frame.y, &frame.u, &frame.v]).zip(sizes)
        {
            queue.write_texture(
                texture.as_image_copy(),
                data,
                wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(w), rows_per_image: Some(h) },
                wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
            );
        }
        planes.uploaded = Some(Arc::clone(frame));
    }

    fn create_planes(&self, device: &wgpu::Device, (w, h): (u32, u32)) -> Planes {
        let texture = |w: u32, h: u32| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some("vidence yuv plane"),
                size: wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::R8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            })
        };
        let textures =
            [texture(w, h), texture(w.div_ceil(2), h.div_ceil(2)), texture(w.div_ceil(2), h.div_ceil(2))];
        let views: Vec<_> =
            textures.iter().map(|t| t.create_view(&wgpu::TextureViewDescriptor::default())).collect();
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("vidence yuv"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: self.params.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::TextureView(&views[0]) },
                wgpu::BindGroupEntry { binding: 2, resource: wgpu::BindingResource::TextureView(&views[1]) },
                wgpu::BindGroupEntry { binding: 3, resource: wgpu::BindingResource::TextureView(&views[2]) },
                wgpu::BindGroupEntry { binding: 4, resource: wgpu::BindingResource::Sampler(&self.sampler) },
            ],
        });
        Planes { size: (w, h), textures, bind_group, uploaded: None }
    }
}

/// Paints `frame` into the callback's rectangle, showing `uv_rect` of the frame.
pub struct YuvPaint {
    pub frame: Arc<VideoFrame>,
    pub uv_rect: [f32; 4],
}

impl egui_wgpu::CallbackTrait for YuvPaint {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(renderer) = resources.get_mut::<YuvRenderer>() {
            renderer.upload(device, queue, &self.frame);
            let params = Params::new(&self.frame, self.uv_rect, renderer.srgb_target);
            queue.write_buffer(&renderer.params, 0, bytemuck::bytes_of(&params));
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(renderer) = resources.get::<YuvRenderer>() else { return };
        let Some(planes) = &renderer.planes else { return };
        pass.set_pipeline(&renderer.pipeline);
        pass.set_bind_group(0, &planes.bind_group, &[]);
        pass.draw(0..4, 0..1);
    }
}
